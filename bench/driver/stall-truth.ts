/**
 * The latency an open-loop client truly sees from a server that stalls `stallMs` at the start of every `periodMs`
 * (answering what arrived meanwhile when the stall ends), with arrivals spread evenly over whole periods: a request
 * that arrives `a` ms into a stall waits `stallMs - a`, every other request ~nothing. So P(latency > x) =
 * (stallMs - x) / periodMs for 0 ≤ x < stallMs, and the p-th percentile is `stallMs - (1 - p) × periodMs` (0 when
 * the stalls hold fewer requests than lie beyond p). This is what coordinated-omission correction must recover.
 */
export function stallPercentileMs(percent: number, stallMs: number, periodMs: number): number {
  return Math.max(0, stallMs - (1 - percent / 100) * periodMs);
}
