import { expect } from 'chai';
import { judge } from './driver-health';
import { driverLimitErrors } from './driver-limit-errors';
import { toMetricSamples } from './driver-result';
import { openResultFixture } from '../../test/support/driver-result-fixture';

const healthy = { latenessP99Ms: 2, latenessMaxMs: 5, eventLoopDelayP99Ms: 11, eventLoopDelayMaxMs: 20, cpuCores: 0.3 };

describe('driver health', () => {
  it('is limited beyond the lateness bound or at a full core, and says which', () => {
    expect(judge(healthy)).to.deep.equal({ limited: false, reasons: [] });
    expect(judge({ ...healthy, latenessP99Ms: 300 }).reasons[0]).to.match(/p99 300 ms behind its schedule/);
    expect(judge({ ...healthy, cpuCores: 0.99 }).reasons[0]).to.match(/0.99 of its one core/);
  });

  it('turns a driver-limited family into a DRIVER_LIMITED run error naming it, and a healthy one into nothing', () => {
    const limited = openResultFixture({
      driver: { ...healthy, latenessP99Ms: 250, limited: true, reasons: ['it sent p99 250 ms behind'] },
    });
    const metrics = [...toMetricSamples('pubsub.publish', limited), ...toMetricSamples('state', openResultFixture(), { operation: 'get' })];
    const errors = driverLimitErrors(metrics);
    expect(errors).to.have.length(1);
    expect(errors[0]?.code).to.equal('DRIVER_LIMITED');
    expect(errors[0]?.message).to.match(/^pubsub\.publish: driver-limited: it sent p99 250 ms behind/);
  });
});
