import { expect } from 'chai';
import { parseAutocannon, parseWrk } from './peer-tools';
import { stallPercentileMs } from './stall-truth';

describe('bench: peer tools and the stall truth', () => {
  it("reads autocannon's JSON: 2xx answers per second of its duration, and its p99", () => {
    expect(parseAutocannon(JSON.stringify({ duration: 5.02, '2xx': 50200, latency: { p99: 3 } }))).to.deep.equal({
      requestsPerSecond: 10000,
      p99Ms: 3,
    });
  });

  it("reads wrk's Requests/sec and the 99 % line in any unit", () => {
    const text = [
      'Running 5s test @ http://127.0.0.1:4000',
      '  Latency Distribution',
      '     50%  412.00us',
      '     99%    1.92s',
      'Requests/sec:  12345.67',
    ].join('\n');
    expect(parseWrk(text)).to.deep.equal({ requestsPerSecond: 12345.67, p99Ms: 1920 });
    expect(() => parseWrk('unable to connect')).to.throw(/no Requests\/sec/);
  });

  it('puts the p99 of a 2 s stall every 10 s at 1.9 s, and lower percentiles than the stalls reach at 0', () => {
    expect(stallPercentileMs(99, 2000, 10_000)).to.equal(1900);
    expect(stallPercentileMs(99.9, 2000, 10_000)).to.be.closeTo(1990, 1e-9);
    expect(stallPercentileMs(50, 2000, 10_000)).to.equal(0);
  });
});
