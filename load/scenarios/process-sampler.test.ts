import { expect } from 'chai';
import { ProcessSampler } from './process-sampler';

describe('process sampler', () => {
  it('adds up the CPU-seconds and peak RSS of a process between start and stop, and the machine busy share', () => {
    const sampler = new ProcessSampler([{ name: 'self', pid: process.pid }], 50);
    sampler.start();
    const until = Date.now() + 300;
    let x = 0;
    while (Date.now() < until) x += Math.sqrt(x + 1);
    sampler.stop();
    const [self] = sampler.usage();
    expect(self?.process).to.equal('self');
    expect(self?.cpuSeconds).to.be.greaterThan(0);
    expect(self?.peakRssMb).to.be.greaterThan(0);
    const w = sampler.window();
    expect(w.machineBusyShare).to.be.within(0, 1);
    expect(x).to.be.greaterThan(0);
  });
});
