import { expect } from 'chai';
import { silentProgress } from '../../harness/console/progress';
import {
  peaksOf,
  type AutoscaleTimeline,
  type AutoscaleWatcher,
  type ReplicaSample,
} from '../../harness/targets/kubernetes/autoscale-watcher';
import type { AutoscalingControl } from '../../harness/targets/deployment';
import { perSecond, runKubernetesAutoscale, type AutoscaleLoad } from './autoscale-kubernetes';

/** Stands in for the watch of an HPA: the test says what the cluster does, as samples. */
class ScriptedWatcher {
  readonly samples: ReplicaSample[] = [];
  readonly marks: Record<string, number> = {};
  stops = 0;
  private readonly started = Date.now();

  push(replicas: number, ready: number, desired: number): void {
    this.samples.push({ t: Date.now() - this.started, replicas, ready, desired });
  }

  mark(name: string): void {
    this.marks[name] = Date.now() - this.started;
  }

  async waitFor(predicate: (s: ReplicaSample) => boolean, timeoutMs: number): Promise<ReplicaSample> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.samples.find(predicate);
      if (hit) return hit;
      if (Date.now() >= deadline) throw new Error(`no matching sample within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  timeline(): AutoscaleTimeline {
    return {
      namespace: 'ns',
      hpa: 'web',
      deployment: 'web',
      startedAt: new Date(this.started).toISOString(),
      minReplicas: 1,
      maxReplicas: 50,
      samples: [...this.samples],
      marks: { ...this.marks },
      ...peaksOf(this.samples),
    };
  }

  async stop(): Promise<AutoscaleTimeline> {
    this.stops++;
    return this.timeline();
  }
}

function deploymentWith(watcher: ScriptedWatcher): AutoscalingControl {
  return { namespace: 'ns', watch: async () => watcher as unknown as AutoscaleWatcher };
}

function recordingLoad(onStart: () => void = () => {}, onStop: () => void = () => {}): AutoscaleLoad & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    description: 'scripted',
    start: async () => {
      calls.push('start');
      onStart();
    },
    stop: async () => {
      calls.push('stop');
      onStop();
    },
  };
}

const later = (ms: number, fn: () => void): void => void setTimeout(fn, ms);

describe("runKubernetesAutoscale (the scenario's Kubernetes side, against a scripted watch)", () => {
  it("keeps the load on until the HPA's maximum is ready, then waits for the way back down, and reports both", async () => {
    const w = new ScriptedWatcher();
    w.push(1, 1, 1);
    const load = recordingLoad(
      () => {
        later(10, () => w.push(1, 1, 12));
        later(20, () => w.push(12, 12, 12));
        later(30, () => w.push(50, 50, 50));
      },
      () => later(10, () => w.push(1, 1, 1)),
    );
    const r = await runKubernetesAutoscale({
      autoscaling: deploymentWith(w),
      hpa: 'web',
      load,
      targets: [10, 50, 80],
      loadMs: 2000,
      scaleBackMs: 2000,
      progress: silentProgress,
    });
    expect(load.calls).to.deep.equal(['start', 'stop']);
    expect([r.reachedTarget, r.scaledBack, r.summary.peakReplicas]).to.deep.equal([true, true, 50]);
    expect(Object.keys(r.summary.timeToReachMs)).to.deep.equal(['10', '50']);
    expect(r.metrics.map((m) => m.name)).to.deep.equal([
      'autoscale.max_replicas',
      'autoscale.time_to_reach',
      'autoscale.time_to_reach',
      'autoscale.scale_back_time',
    ]);
    expect(r.scenario.settings).to.deep.include({
      hpa: 'web',
      deployment: 'web',
      minReplicas: 1,
      maxReplicas: 50,
      untilReplicas: 50,
      reachedTarget: true,
      scaledBack: true,
    });
    expect(w.stops).to.be.at.least(1);
  });

  it('keeps what the load reported when it went off: its metrics and settings, and its failure', async () => {
    const w = new ScriptedWatcher();
    w.push(1, 1, 1);
    const measured = { name: 'autoscale.load.success_rate', kind: 'rate' as const, tags: {}, rate: 0.5, passes: 5, fails: 5 };
    const load: AutoscaleLoad = {
      description: 'reporting',
      start: async () => later(5, () => w.push(50, 50, 50)),
      stop: async () => {
        later(5, () => w.push(1, 1, 1));
        return { metrics: [measured], settings: { stopReason: 'aborted', sent: 10 } };
      },
    };
    const r = await runKubernetesAutoscale({
      autoscaling: deploymentWith(w),
      hpa: 'web',
      load,
      loadMs: 2000,
      scaleBackMs: 2000,
      progress: silentProgress,
    });
    expect(r.metrics).to.deep.include(measured);
    expect(r.scenario.settings).to.deep.include({ 'load.stopReason': 'aborted', 'load.sent': 10 });
    expect(r.load?.error).to.equal(undefined);

    const w2 = new ScriptedWatcher();
    w2.push(1, 1, 1);
    const failing: AutoscaleLoad = {
      description: 'failing',
      start: async () => {},
      stop: async () => ({ metrics: [], settings: {}, error: 'request builder threw' }),
    };
    const r2 = await runKubernetesAutoscale({
      autoscaling: deploymentWith(w2),
      hpa: 'web',
      load: failing,
      loadMs: 50,
      scaleBackMs: 50,
      progress: silentProgress,
    });
    expect(r2.load?.error).to.equal('request builder threw');
    expect(r2.scenario.settings['load.error']).to.equal('request builder threw');
  });

  it('counts Ready pods as the peak, not pods the HPA asked for that stayed Pending', async () => {
    const w = new ScriptedWatcher();
    w.push(1, 1, 1);
    const load = recordingLoad(
      () => later(5, () => w.push(50, 7, 50)),
      () => later(5, () => w.push(1, 1, 1)),
    );
    const r = await runKubernetesAutoscale({
      autoscaling: deploymentWith(w),
      hpa: 'web',
      load,
      loadMs: 200,
      scaleBackMs: 500,
      progress: silentProgress,
    });
    expect(r.reachedTarget).to.equal(false);
    expect(r.summary.peakReplicas).to.equal(7);
    expect(r.metrics.find((m) => m.name === 'autoscale.max_replicas')?.value).to.equal(7);
    expect(r.scenario.settings).to.deep.include({ peakReadyReplicas: 7, peakPods: 50 });
  });

  it('a target not reached in time is a result, not an error: the load still goes off', async () => {
    const w = new ScriptedWatcher();
    w.push(1, 1, 1);
    const load = recordingLoad(() => later(5, () => w.push(4, 4, 4)));
    const r = await runKubernetesAutoscale({
      autoscaling: deploymentWith(w),
      hpa: 'web',
      load,
      untilReplicas: 10,
      loadMs: 100,
      scaleBackMs: 50,
      progress: silentProgress,
    });
    expect(load.calls).to.deep.equal(['start', 'stop']);
    expect([r.reachedTarget, r.scaledBack, r.summary.peakReplicas]).to.deep.equal([false, false, 4]);
    expect(r.summary.timeToReachMs['10']).to.equal(null);
    expect(r.summary.scaleBackMs).to.equal(null);
  });

  it('an abort ends the scenario at once, with the load off and the watch stopped', async () => {
    const w = new ScriptedWatcher();
    w.push(1, 1, 1);
    const controller = new AbortController();
    const load = recordingLoad(() => later(20, () => controller.abort(new Error('Ctrl-C'))));
    let error: unknown;
    const started = Date.now();
    await runKubernetesAutoscale({
      autoscaling: deploymentWith(w),
      hpa: 'web',
      load,
      loadMs: 10_000,
      scaleBackMs: 10_000,
      progress: silentProgress,
      signal: controller.signal,
    }).catch((err: unknown) => (error = err));
    expect((error as Error)?.message).to.equal('Ctrl-C');
    expect(Date.now() - started).to.be.below(5_000);
    expect(load.calls).to.deep.equal(['start', 'stop']);
    expect(w.stops).to.equal(1);
  });

  it('a load that cannot start fails the scenario and leaves nothing to turn off', async () => {
    const w = new ScriptedWatcher();
    w.push(1, 1, 1);
    const load: AutoscaleLoad = {
      description: 'broken',
      start: () => Promise.reject(new Error('no route to the sidecar')),
      stop: () => Promise.reject(new Error('stop must not be called')),
    };
    let error: unknown;
    await runKubernetesAutoscale({
      autoscaling: deploymentWith(w),
      hpa: 'web',
      load,
      loadMs: 100,
      scaleBackMs: 100,
      progress: silentProgress,
    }).catch((err: unknown) => (error = err));
    expect((error as Error)?.message).to.equal('no route to the sidecar');
    expect(w.stops).to.equal(1);
  });

  it('a watch that never sees the Deployment fails instead of recording an empty timeline', async () => {
    const w = new ScriptedWatcher();
    const load = recordingLoad();
    let error: unknown;
    await runKubernetesAutoscale({
      autoscaling: deploymentWith(w),
      hpa: 'missing',
      load,
      loadMs: 100,
      scaleBackMs: 100,
      progress: silentProgress,
      firstSampleTimeoutMs: 200,
    }).catch((err: unknown) => (error = err));
    expect((error as Error)?.message).to.match(/no matching sample/);
    expect(load.calls).to.deep.equal([]);
  });

  it('perSecond gives the replica counts in force at each whole second', () => {
    const timeline: AutoscaleTimeline = {
      namespace: 'ns',
      hpa: 'web',
      deployment: 'web',
      startedAt: '2026-01-01T00:00:00.000Z',
      samples: [
        { t: 0, replicas: 1, ready: 1, desired: 1 },
        { t: 1500, replicas: 4, ready: 1, desired: 4 },
        { t: 2100, replicas: 4, ready: 4, desired: 4 },
      ],
      marks: {},
      peakReplicas: 4,
      peakPods: 4,
    };
    expect(perSecond(timeline)).to.deep.equal([
      { t: 0, requests: 0, errors: 0, replicas: 1, ready: 1, desired: 1 },
      { t: 1, requests: 0, errors: 0, replicas: 1, ready: 1, desired: 1 },
      { t: 2, requests: 0, errors: 0, replicas: 4, ready: 1, desired: 4 },
    ]);
  });
});
