/** Percentiles shown on the latency curve, as far as the sample count supports them. */
const PERCENTILES = [50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999];

/**
 * Latency at each percentile, read from histogram buckets: the upper bound of the first bucket whose cumulative
 * count reaches the percentile. A percentile needs at least one sample beyond it, so 99.99 needs 10 000.
 */
export function percentilesFromHistogram(buckets: { le: number; count: number }[]): { x: number; y: number }[] {
  const sorted = [...buckets].filter((b) => Number.isFinite(b.le)).sort((a, b) => a.le - b.le);
  const total = sorted.reduce((n, b) => n + b.count, 0);
  if (total === 0) return [];
  const points: { x: number; y: number }[] = [];
  for (const p of PERCENTILES) {
    if ((1 - p / 100) * total < 1 - 1e-9 && p !== 50) break;
    let seen = 0;
    const bucket = sorted.find((b) => (seen += b.count) >= (p / 100) * total);
    if (bucket) points.push({ x: p, y: bucket.le });
  }
  return points;
}

/** Points from a trend's stats map ("p50", "p99.9", ...), ordered by percentile. */
export function percentilesFromStats(stats: Record<string, number>): { x: number; y: number }[] {
  return Object.entries(stats)
    .map(([k, v]) => ({ m: /^p(\d+(?:\.\d+)?)$/.exec(k), v }))
    .filter((e): e is { m: RegExpExecArray; v: number } => e.m !== null)
    .map((e) => ({ x: Number(e.m[1]), y: e.v }))
    .filter((p) => p.x > 0 && p.x < 100)
    .sort((a, b) => a.x - b.x);
}
