import { expect } from 'chai';
import { emptyResults } from '../results/results-store';
import type { RunResults } from '../results/results-model';
import { buildReportHtml } from './render-report';
import { capacityViews, costViews } from './capacity-view';

function withCapacity(): RunResults {
  return emptyResults({
    runId: 'r',
    kind: 'load',
    target: { kind: 'local' },
    capacity: [
      {
        scenario: 'pubsub',
        criteriaFile: 'criteria.yaml',
        stepDurationMs: 30_000,
        warmupMs: 5000,
        endedBy: 'resolution',
        maxMetRatePerSecond: 300,
        brokenRatePerSecond: 400,
        steps: [
          {
            ratePerSecond: 400,
            achievedRatePerSecond: 390,
            p50Ms: 900,
            p90Ms: 2000,
            p99Ms: 4000,
            met: false,
            broken: ['pubsub.e2e_latency p(99)<1000: 4000 ms'],
            elapsedMs: 1,
          },
          {
            ratePerSecond: 300,
            achievedRatePerSecond: 300,
            p50Ms: 20,
            p90Ms: 100,
            p99Ms: 400,
            met: true,
            broken: [],
            elapsedMs: 1,
            cpuCores: 1.6,
          },
        ],
      },
    ],
    scenarios: [
      {
        name: 'pubsub',
        settings: {},
        timeline: [],
        cost: {
          unit: 'event',
          units: 9000,
          wallSeconds: 30,
          machineCores: 2,
          deploymentCores: 1.9,
          cpuBudget: 0.95,
          machineBusyShare: 0.99,
          machineLimited: true,
          processes: [
            { process: 'task-service-daprd', role: 'sidecar', cpuSeconds: 9, cpuSecondsPer1000: 1, avgCores: 0.3, peakRssMb: 80 },
          ],
        },
      },
    ],
  });
}

describe('report: capacity and cost', () => {
  it('draws the latency-vs-rate curve in rate order, one line per percentile, and says where the knee is', () => {
    const [v] = capacityViews(withCapacity());
    expect(v?.summary).to.match(/^300\/s is the highest rate that met the criteria; 400\/s broke them/);
    expect(v?.chart.lines.map((l) => l.name)).to.deep.equal(['p50', 'p90', 'p99']);
    expect(v?.steps.map((s) => s.cls)).to.deep.equal(['fail', 'pass']);
  });

  it("sets each sidecar beside Dapr's published cost and says when the machine is the limit", () => {
    const [c] = costViews(withCapacity());
    expect(c?.rows[0]?.published).to.equal('~0.48 CPU-s, ~23 MB');
    expect(c?.budget).to.include('The machine is the limit');
    const html = buildReportHtml(withCapacity());
    expect(html).to.include('<section id="capacity">').and.to.include('Latency vs rate — pubsub').and.to.include('<section id="cost">');
    expect(c?.source).to.equal('/proc');
    expect(html).to.include('per 1000 events (from /proc)');
  });

  it('names where a cost table came from and how coarse it is, when it is not /proc', () => {
    const results = withCapacity();
    const cost = results.scenarios[0]?.cost;
    if (!cost) throw new Error('fixture has no cost');
    Object.assign(cost, { source: 'metrics-server (metrics.k8s.io/v1beta1 PodMetrics)', note: 'Coarse: 15 s windows.', machineCores: 0 });
    const [c] = costViews(results);
    expect(c).to.deep.include({ source: 'metrics-server (metrics.k8s.io/v1beta1 PodMetrics)', note: 'Coarse: 15 s windows.' });
    expect(c?.budget).to.include("its nodes' cores unknown");
    const html = buildReportHtml(results);
    expect(html)
      .to.include('(from metrics-server (metrics.k8s.io/v1beta1 PodMetrics))')
      .and.to.include('<p class="note">Coarse: 15 s windows.</p>');
  });
});
