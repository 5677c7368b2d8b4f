import { poll } from '../../harness/process/wait/poll';
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { deployment, measure, skipBecause } from '../../harness/suite-runner/suite-context';
import { configurations, specOf, tracingProblem, type TracingSpec } from '../support/configuration';
import type { ZipkinSpan } from '../../harness/observability/zipkin-collector';
import { uniqueId } from '../support/http';
import { APPS, invoke, SUBSCRIBERS } from '../support/sut';

/** Every service a task creation passes through, in order, and the subscribers its event reaches. */
const EXPECTED = [APPS.sample, APPS.tasks, ...SUBSCRIBERS['task.created']];

function serviceOf(span: ZipkinSpan): string {
  return span.localEndpoint?.serviceName ?? '?';
}

describe('observability: distributed tracing (T050)', () => {
  it('one trace spans sample-app → task-service → state save → publish → every subscriber', async function () {
    // Tracing switched off, or exporting nowhere, fails whatever the target; spans the harness cannot collect do not.
    const configs = configurations() ?? [];
    const off = configs.map(tracingProblem).find(Boolean);
    if (off) throw new Error(off);
    if (!deployment().traces) {
      const endpoints = configs
        .map((c) => specOf<{ tracing?: TracingSpec }>(c).tracing)
        .map((t) => t?.zipkin?.endpointAddress ?? t?.otel?.endpointAddress)
        .filter(Boolean);
      return skipBecause(
        this,
        'not-observable',
        `the sidecars export spans to ${endpoints.join(', ') || 'the endpoint their Configuration names'}, which this harness does not read on a ${deployment().target} target (only the local target points daprd at the harness's own collector)`,
      );
    }
    const traceId = randomBytes(16).toString('hex');
    const rootSpan = randomBytes(8).toString('hex');
    const res = await invoke(APPS.audit, APPS.sample, `call/${APPS.tasks}/tasks`, {
      method: 'POST',
      json: { title: uniqueId('traced') },
      headers: { traceparent: `00-${traceId}-${rootSpan}-01` },
    });
    expect(res.status, res.text).to.equal(201);
    const traces = deployment().traces;
    // Sidecars export in batches (a few seconds apart).
    const spans = await poll(
      'spans from every service of the chain',
      async () => {
        const got = (await traces?.trace(traceId)) ?? [];
        const services = new Set(got.map(serviceOf));
        const operations = got.map((s) => `${s.name ?? ''} ${JSON.stringify(s.tags ?? {})}`.toLowerCase());
        const complete =
          EXPECTED.every((s) => services.has(s)) &&
          operations.some((o) => o.includes('state')) &&
          operations.some((o) => o.includes('publish') || o.includes('pubsub'));
        return complete ? got : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    ).catch(async (err: Error) => {
      const got = (await traces?.trace(traceId)) ?? [];
      const services = [...new Set(got.map(serviceOf))];
      measure(this, 'traceCompleteness', services.filter((s) => (EXPECTED as readonly string[]).includes(s)).length / EXPECTED.length);
      throw new Error(
        `${err.message}; the trace has ${got.length} spans from ${services.join(', ') || 'no service'}: ${got.map((s) => `${serviceOf(s)}:${s.name}`).join(', ')}`,
      );
    });
    const ids = new Set(spans.map((s) => s.id));
    const orphans = spans.filter((s) => s.parentId && !ids.has(s.parentId) && s.parentId !== rootSpan);
    measure(this, 'spans', spans.length);
    measure(this, 'traceCompleteness', 1);
    expect(spans.every((s) => s.traceId === traceId)).to.equal(true);
    expect(
      orphans.map((s) => `${serviceOf(s)}:${s.name} → ${s.parentId}`),
      'spans whose parent is not in the trace',
    ).to.deep.equal([]);
    expect(
      spans.some((s) => s.parentId === rootSpan),
      "the first span continues the caller's traceparent",
    ).to.equal(true);
  });
});
