import { expect } from 'chai';
import { formatResult } from './format-result';
import { openResultFixture } from '../../test/support/driver-result-fixture';

describe('result table', () => {
  it('shows corrected and uncorrected latency side by side for an open model, then the counts', () => {
    const text = formatResult(openResultFixture());
    const lines = text.split('\n');
    expect(lines[0]).to.match(/^\s+p50\s+p90\s+p99\s+p99\.9\s+mean\s+max$/);
    expect(text).to.match(/latency \(from intended send\)\s+1\.50 ms\s+20\.0 ms\s+480 ms/);
    expect(text).to.match(/service time \(from actual send\)\s+0\.30 ms\s+0\.60 ms\s+1\.20 ms/);
    expect(text).to.contain('200 requests in 2.0 s, 100/s of 100/s asked');
    expect(text).to.contain(
      '190 ok, 6 errors, 2 of them timeouts (in the latency at ≥ 10000 ms), 4 DROPPED (maxInFlight reached, never sent)',
    );
    expect(text).to.contain('errors: http_500 4, timeout 2');
    expect(text).to.not.contain('PARTIAL');
  });

  it('has one latency row for the closed model and no dropped count when none were dropped', () => {
    const base = openResultFixture();
    const text = formatResult(
      openResultFixture({ model: 'closed', requestedRatePerSecond: undefined, totals: { ...base.totals, dropped: 0 } }),
    );
    expect(text).to.match(/^latency\s+0\.30 ms/m);
    expect(text).to.not.contain('service time');
    expect(text).to.not.contain('DROPPED');
    expect(text).to.contain('requests in 2.0 s, 100/s\n');
  });

  it('leads with a partial marker and shows unfinished requests and warm-up', () => {
    const base = openResultFixture();
    const text = formatResult(
      openResultFixture({
        partial: true,
        stopReason: 'aborted',
        totals: { ...base.totals, unfinished: 7 },
        warmup: { sent: 50, completed: 50, dropped: 0 },
      }),
    );
    expect(text.split('\n')[0]).to.equal('PARTIAL RESULT — run stopped early (aborted); figures cover what happened until then');
    expect(text).to.contain('7 unfinished');
    expect(text).to.contain('(+50 warm-up requests not counted)');
  });

  it('says so when nothing was answered', () => {
    const base = openResultFixture();
    const text = formatResult(
      openResultFixture({
        latency: { corrected: { ...base.latency.corrected, count: 0 }, uncorrected: { ...base.latency.uncorrected, count: 0 } },
      }),
    );
    expect(text.split('\n')[0]).to.equal('latency: no answered requests');
  });
});
