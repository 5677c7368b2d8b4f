import { expect } from 'chai';
import { deployment, measure, skipBecause } from '../../harness/suite-runner/suite-context';
import { configurations, metricsProblem } from '../support/configuration';
import { scrape, total, type Families } from '../../harness/observability/prometheus-scrape';
import { sleep } from '../../harness/process/wait/wait-strategy';
import { http, uniqueId } from '../support/http';
import { APPS, invoke, sidecarUrl, STATE_STORE } from '../support/sut';

function metricsUrl(appId: string): string {
  const url = deployment().sidecar(appId).metricsUrl;
  if (!url) throw new Error(`the target does not expose the metrics endpoint of ${appId}'s sidecar`);
  return url;
}

/** Sums a family over every instance of an app. */
async function scrapeApp(appId: string): Promise<Families[]> {
  return Promise.all(
    deployment()
      .apps.filter((a) => a.appId === appId)
      .map((a) => scrape(a.sidecar.metricsUrl as string)),
  );
}

const sum = (all: Families[], name: string, labels: Record<string, string> = {}): number =>
  all.reduce((s, f) => s + total(f, name, labels), 0);

/**
 * Metrics switched off are a failure naming the setting; metrics endpoints the target does not expose make the
 * test not observable. Checked in each test, not in a hook, so each test keeps its own record.
 */
function requireMetrics(ctx: Mocha.Context, appIds: string[]): void {
  const off = (configurations() ?? []).map(metricsProblem).find(Boolean);
  if (off) throw new Error(off);
  const hidden = deployment()
    .apps.filter((a) => appIds.includes(a.appId) && !a.sidecar.metricsUrl)
    .map((a) => a.appId);
  if (hidden.length > 0)
    skipBecause(
      ctx,
      'not-observable',
      `the target does not expose the metrics endpoint of ${[...new Set(hidden)].join(', ')} (external target: give metrics: URL per app in the sidecars file)`,
    );
}

describe('observability: sidecar metrics (T049)', () => {
  it('every sidecar exports the key metric families once traffic has flowed', async function () {
    requireMetrics(this, [APPS.sample, APPS.tasks, APPS.audit]);
    // Traffic of every kind, so that every family has a reason to exist.
    const created = await invoke(APPS.sample, APPS.tasks, 'tasks', { method: 'POST', json: { title: uniqueId('metrics') } });
    expect(created.status, created.text).to.equal(201);
    await sleep(1500);
    const expectations: [string, string[]][] = [
      [
        APPS.sample,
        [
          'dapr_http_server_request_count',
          'dapr_http_server_latency',
          'dapr_runtime_service_invocation_req_sent_total',
          'dapr_runtime_component_loaded',
        ],
      ],
      [
        APPS.tasks,
        [
          'dapr_runtime_service_invocation_req_recv_total',
          'dapr_component_state_count',
          'dapr_component_state_latencies',
          'dapr_component_pubsub_egress_count',
          'dapr_component_pubsub_egress_latencies',
        ],
      ],
      [APPS.audit, ['dapr_component_pubsub_ingress_count', 'dapr_component_pubsub_ingress_latencies']],
    ];
    if ((deployment().resources ?? []).some((r) => r.kind === 'Resiliency'))
      expectations.push([APPS.tasks, ['dapr_resiliency_loaded', 'dapr_resiliency_count']]);
    for (const [appId, names] of expectations) {
      const families = await scrape(metricsUrl(appId));
      const missing = names.filter((n) => !families.has(n));
      expect(missing, `${appId}'s sidecar lacks ${missing.join(', ')}`).to.deep.equal([]);
    }
  });

  it('the counters move with the traffic the harness sends', async function () {
    requireMetrics(this, [APPS.sample, APPS.tasks]);
    const calls = 5;
    const beforeCaller = await scrapeApp(APPS.sample);
    const beforeCallee = await scrapeApp(APPS.tasks);
    for (let i = 0; i < calls; i++) {
      const res = await invoke(APPS.sample, APPS.tasks, 'tasks/none-such');
      expect(res.status).to.equal(404);
    }
    const key = uniqueId('metric-state');
    await http(`${sidecarUrl(APPS.tasks)}/v1.0/state/${STATE_STORE}`, { method: 'POST', json: [{ key, value: 1 }] });
    await http(`${sidecarUrl(APPS.tasks)}/v1.0/state/${STATE_STORE}/${key}`, { method: 'DELETE' });
    await sleep(500);
    const afterCaller = await scrapeApp(APPS.sample);
    const afterCallee = await scrapeApp(APPS.tasks);
    const sent =
      sum(afterCaller, 'dapr_runtime_service_invocation_req_sent_total') -
      sum(beforeCaller, 'dapr_runtime_service_invocation_req_sent_total');
    const received =
      sum(afterCallee, 'dapr_runtime_service_invocation_req_recv_total') -
      sum(beforeCallee, 'dapr_runtime_service_invocation_req_recv_total');
    const state = sum(afterCallee, 'dapr_component_state_count') - sum(beforeCallee, 'dapr_component_state_count');
    measure(this, 'invocationsSent', sent);
    measure(this, 'invocationsReceived', received);
    measure(this, 'stateOperations', state);
    expect(sent, 'caller: invocations sent').to.be.at.least(calls);
    expect(received, 'callee: invocations received').to.be.at.least(calls);
    expect(state, 'state operations counted').to.be.at.least(2);
  });
});
