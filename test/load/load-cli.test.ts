import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readResults } from '../../harness/results/results-store';
import type { MetricSample, RunResults } from '../../harness/results/results-model';
import { sharedDeployment } from '../support/shared-deployment';
import { sidecarsFileFor } from '../support/external-sidecars';
import { runCli } from '../support/cli';

function metric(results: RunResults, name: string, tags: Record<string, string> = {}): MetricSample {
  const found = results.metrics.find((m) => m.name === name && Object.entries(tags).every(([k, v]) => m.tags[k] === v));
  if (!found) throw new Error(`no ${name} ${JSON.stringify(tags)} in ${results.metrics.map((m) => m.name).join(', ')}`);
  return found;
}

const SMALL = ['--rate', '40/s', '--duration', '3s', '--warmup', '0', '--drain', '15s'];

describe('npm run load and the gate on its results', function () {
  this.timeout(240_000);
  let sidecars: string;

  before(async () => {
    sidecars = sidecarsFileFor(await sharedDeployment());
  });

  afterEach(async () => {
    const d = await sharedDeployment();
    for (const a of d.apps) if (a.appUrl) await fetch(`${a.appUrl}/faults`, { method: 'DELETE' });
  });

  it('measures pub/sub delivery per subscriber against the publisher record, state and invocation; the gate passes them', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'load-')), 'run');
    const result = await runCli(['load', '--target', 'external', '--sidecars-file', sidecars, '--scenario', 'all', ...SMALL, '--out', out]);
    expect(result.code, result.stderr.slice(-1500)).to.equal(0);
    const results = readResults(out);
    expect(results.kind).to.equal('load');
    for (const subscriber of ['notification-service', 'audit-service', 'analytics-service']) {
      const rate = metric(results, 'pubsub.delivery_rate', { subscriber });
      expect(rate.rate, subscriber).to.equal(1);
      expect(rate.passes, `${subscriber}: delivered`).to.be.greaterThanOrEqual(100);
      expect(metric(results, 'pubsub.lost', { subscriber }).count).to.equal(0);
      const corrected = metric(results, 'pubsub.e2e_latency', { subscriber }).stats as Record<string, number>;
      const uncorrected = metric(results, 'pubsub.e2e_latency_uncorrected', { subscriber }).stats as Record<string, number>;
      expect(corrected.p99).to.be.a('number');
      // From the intended publish time the latency includes any wait for the publisher, so it is never the smaller.
      expect(corrected.p50, subscriber).to.be.at.least(uncorrected.p50 as number);
      // Same machine, same clock: the measured offset is within a few ms, and says how sure it is.
      const offset = metric(results, 'pubsub.clock_offset', { subscriber });
      expect(offset).to.include({ kind: 'gauge', unit: 'ms' });
      expect(Math.abs(offset.value as number), subscriber).to.be.below(5);
      expect(metric(results, 'pubsub.clock_offset_uncertainty', { subscriber }).value).to.be.above(0);
      expect(metric(results, 'pubsub.negative_latency', { subscriber }).count, `${subscriber}: deliveries before their send`).to.be.a(
        'number',
      );
    }
    const publishes = metric(results, 'pubsub.publish_success_rate');
    expect(publishes).to.deep.include({ kind: 'rate', rate: 1, fails: 0 });
    expect(publishes.passes, 'every acknowledged publish, warm-up included').to.equal(
      metric(results, 'pubsub.delivery_rate', { subscriber: 'audit-service' }).passes,
    );
    expect(metric(results, 'state.timeouts', { operation: 'save' }).count).to.equal(0);
    expect(metric(results, 'state.success_rate', { operation: 'save' }).rate).to.equal(1);
    expect(metric(results, 'invoke.success_rate', { path: 'dapr' }).rate).to.equal(1);
    expect(metric(results, 'invoke.sidecar_overhead', { percentile: 'p50' }).value).to.be.a('number');
    expect(metric(results, 'invoke.latency', { path: 'dapr' }).stats?.p50, 'an unhindered callee answers fast').to.be.below(60);
    expect(results.scenarios.find((s) => s.name === 'autoscale')?.notApplicable).to.contain('--target kubernetes');
    const gate = await runCli(['gate', '--results', out, '--criteria', 'test/load/load-criteria.yaml']);
    expect(gate.code, gate.stdout).to.equal(0);
  });

  it('sees the delivery rate fall by about 1 % when a subscriber drops 1 % of its deliveries, and the gate fails on it', async () => {
    const d = await sharedDeployment();
    const analytics = d.apps.find((a) => a.appId === 'analytics-service')?.appUrl as string;
    const fault = await fetch(`${analytics}/faults/pubsub`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ topic: 'task.created', mode: 'DROP', fraction: 0.01 }),
    });
    expect(fault.status).to.equal(200);
    const out = join(mkdtempSync(join(tmpdir(), 'load-broken-')), 'run');
    const result = await runCli([
      'load',
      '--target',
      'external',
      '--sidecars-file',
      sidecars,
      '--scenario',
      'pubsub',
      '--rate',
      '100/s',
      '--duration',
      '5s',
      '--warmup',
      '0',
      '--drain',
      '5s',
      '--out',
      out,
    ]);
    expect(result.code, result.stderr.slice(-1500)).to.equal(0);
    const results = readResults(out);
    const rate = metric(results, 'pubsub.delivery_rate', { subscriber: 'analytics-service' });
    expect(rate.passes! + rate.fails!).to.be.at.least(450);
    expect(rate.rate, 'delivery rate with 1 % dropped').to.be.within(0.985, 0.995);
    expect(metric(results, 'pubsub.lost', { subscriber: 'analytics-service' }).count).to.be.within(3, 8);
    expect(metric(results, 'pubsub.delivery_rate', { subscriber: 'audit-service' }).rate, 'the others still get everything').to.equal(1);
    const gate = await runCli(['gate', '--results', out, '--criteria', 'test/load/load-criteria.yaml']);
    expect(gate.code).to.equal(1);
    expect(gate.stdout).to.match(/analytics-service/);
  });

  it('sees the latency percentiles move when the callee is slowed down', async () => {
    const d = await sharedDeployment();
    const sample = d.apps.find((a) => a.appId === 'sample-app')?.appUrl as string;
    const delay = await fetch(`${sample}/faults/delay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ delayMs: 60 }),
    });
    expect(delay.status).to.equal(200);
    const out = join(mkdtempSync(join(tmpdir(), 'load-slow-')), 'run');
    const result = await runCli([
      'load',
      '--target',
      'external',
      '--sidecars-file',
      sidecars,
      '--scenario',
      'invoke',
      '--rate',
      '20/s',
      '--duration',
      '3s',
      '--warmup',
      '0',
      '--out',
      out,
    ]);
    expect(result.code, result.stderr.slice(-1500)).to.equal(0);
    const results = readResults(out);
    const dapr = metric(results, 'invoke.latency', { path: 'dapr' }).stats as Record<string, number>;
    const direct = metric(results, 'invoke.baseline.latency', { path: 'direct' }).stats as Record<string, number>;
    expect(dapr.p50, 'through Dapr').to.be.at.least(60);
    expect(direct.p50, 'straight to the app').to.be.at.least(60);
    expect(dapr.p99).to.be.at.least(60);
  });

  it('refuses a non-loopback target and bad flags with exit code 2 before sending anything', async () => {
    // Refused from the flags alone: the harness never connects to the address.
    const bad = await runCli(['load', '--target', 'external', '--sidecar', 'task-service=http://10.1.2.3:3500', '--scenario', 'state']);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.contain('is not a loopback address');
    const rate = await runCli(['load', '--target', 'external', '--sidecars-file', sidecars, '--rate', 'fast']);
    expect(rate.code).to.equal(2);
    expect(rate.stderr).to.contain('--rate fast is not a rate');
    const scenario = await runCli(['load', '--target', 'external', '--sidecars-file', sidecars, '--scenario', 'soak']);
    expect(scenario.code).to.equal(2);
    expect(scenario.stderr).to.contain('unknown scenario "soak"');
  });
});
