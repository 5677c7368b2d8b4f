import { expect } from 'chai';
import type { BenchRecord } from './bench-record';
import { README_BEGIN, README_END, readmeSection, replaceReadmeSection } from './readme-section';

const record: BenchRecord = {
  date: '2026-12-02T05:00:00.000Z',
  host: 'vm',
  cpuModel: 'Some CPU',
  cores: 2,
  loadAverage: { start: 12.3, end: 9.1 },
  node: 'v20.20.2',
  command: 'npm run bench -- --capacity pubsub',
  maxRate: {
    command: 'npm run bench -- --capacity pubsub',
    connections: 16,
    seconds: 5,
    rounds: 3,
    driver: 9000,
    autocannon: 10000,
    wrk: 20000,
  },
  stall: {
    command: 'npm run bench -- --capacity pubsub',
    stallMs: 2000,
    periodMs: 10000,
    ratePerSecond: 200,
    seconds: 30,
    truthP99Ms: 1900,
    correctedP99Ms: 1950,
    uncorrectedP99Ms: 12,
    driverLimited: false,
    autocannonP99Ms: 0,
  },
  capacity: [
    {
      scenario: 'pubsub',
      command: 'npm run load -- --scenario pubsub --find-capacity --max-time 15m',
      runDir: 'reports/bench/capacity-pubsub',
      maxMetRatePerSecond: 300,
      brokenRatePerSecond: 400,
      endedBy: 'resolution',
      steps: [
        {
          ratePerSecond: 300,
          achievedRatePerSecond: 299,
          p50Ms: 10,
          p90Ms: 50,
          p99Ms: 400,
          met: true,
          broken: [],
          elapsedMs: 40000,
          cpuCores: 1.5,
        },
        {
          ratePerSecond: 400,
          achievedRatePerSecond: 390,
          p99Ms: 4000,
          met: false,
          broken: ['pubsub.e2e_latency [subscriber=a] p(99)<1000: 4000 ms'],
          elapsedMs: 50000,
        },
      ],
      cost: {
        unit: 'event',
        units: 9000,
        wallSeconds: 40,
        machineCores: 2,
        deploymentCores: 1.6,
        cpuBudget: 0.8,
        machineBusyShare: 0.97,
        machineLimited: true,
        processes: [
          { process: 'task-service-daprd', role: 'sidecar', cpuSeconds: 10, cpuSecondsPer1000: 1.1, avgCores: 0.25, peakRssMb: 70 },
          { process: 'driver', role: 'driver', cpuSeconds: 4, cpuSecondsPer1000: 0.44, avgCores: 0.1, peakRssMb: 150 },
        ],
      },
    },
  ],
};

describe('bench: README section', () => {
  it('says when, where and how loaded, gives every figure its command, and shows the arithmetic of the cost', () => {
    const s = readmeSection(record);
    expect(s.startsWith(README_BEGIN) && s.endsWith(README_END)).to.equal(true);
    expect(s).to.include('host `vm`').and.to.include('shared and loaded').and.to.include('load average 12.3');
    expect(s).to.include('| autocannon 9.0.0 | 10,000 | 0.90× (goal ≥ 0.8×) |');
    expect(s).to.include('2.6 % off (goal ≤ 5 %)');
    expect(s).to.include('`npm run load -- --scenario pubsub --find-capacity --max-time 15m`');
    expect(s).to.include('broke: pubsub.e2e_latency [subscriber=a] p(99)<1000');
    expect(s).to.include('the machine was the limit');
    expect(s).to.include('1000 events/s need 1.54 cores');
  });

  it('replaces only what lies between the markers, and refuses a README without them', () => {
    const readme = `# x\n\n${README_BEGIN}\nold\n${README_END}\n\nrest\n`;
    expect(replaceReadmeSection(readme, `${README_BEGIN}\nnew\n${README_END}`)).to.equal(
      `# x\n\n${README_BEGIN}\nnew\n${README_END}\n\nrest\n`,
    );
    expect(() => replaceReadmeSection('# x', 'y')).to.throw(/markers/);
  });
});
