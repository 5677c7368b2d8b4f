import { expect } from 'chai';
import { budgetLine, costMetrics, formatCost, requestCost, roleOf } from './request-cost';

const usage = [
  { process: 'task-service-daprd', cpuSeconds: 12, peakRssMb: 60 },
  { process: 'audit-service', cpuSeconds: 6, peakRssMb: 80 },
  { process: 'nats', cpuSeconds: 3, peakRssMb: 20 },
  { process: 'driver', cpuSeconds: 9, peakRssMb: 150 },
];

describe('request cost', () => {
  it('prices each process per 1000 units and gives the deployment its share of the cores, the driver left out', () => {
    const c = requestCost({ usage, window: { seconds: 30, machineBusyShare: 0.5 }, units: 24_000, unit: 'event', machineCores: 2 });
    expect(c.processes.map((p) => p.process)).to.deep.equal(['task-service-daprd', 'driver', 'audit-service', 'nats']);
    expect(c.processes[0]).to.include({ role: 'sidecar', cpuSecondsPer1000: 0.5, avgCores: 0.4, peakRssMb: 60 });
    expect(c.deploymentCores).to.equal(0.7);
    expect(c.cpuBudget).to.equal(0.35);
    expect(c.machineLimited).to.equal(false);
    expect(formatCost('pubsub', c)).to.include('Dapr publishes ~0.48 CPU-s');
  });

  it('says the machine is the limit when all cores were busy', () => {
    const c = requestCost({ usage, window: { seconds: 30, machineBusyShare: 0.97 }, units: 24_000, unit: 'event', machineCores: 2 });
    expect(c.machineLimited).to.equal(true);
    expect(budgetLine(c)).to.include('THE MACHINE IS THE LIMIT');
  });

  it('knows sidecars, brokers, apps and the driver by name, and records metrics per process', () => {
    expect(['x-daprd', 'redis', 'nats', 'driver', 'sample-app'].map(roleOf)).to.deep.equal([
      'sidecar',
      'broker',
      'broker',
      'driver',
      'app',
    ]);
    const c = requestCost({ usage, window: { seconds: 10 }, units: 0, unit: 'request', machineCores: 2 });
    expect(c.processes.every((p) => p.cpuSecondsPer1000 === 0)).to.equal(true);
    const m = costMetrics('invoke', c);
    expect(m.filter((x) => x.name === 'cost.cpu_seconds_per_1000')).to.have.length(4);
    expect(m.find((x) => x.name === 'cost.cpu_budget')?.tags).to.deep.equal({ scenario: 'invoke' });
  });
});
