import { build, type Histogram } from 'hdr-histogram-js';

export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  'p99.9': number;
  max: number;
}

/** A chart bucket: how many latencies fell in (previous le, le], in ms. */
export interface LatencyBucket {
  le: number;
  count: number;
}

/** Ten buckets per decade from 10 µs: fine enough for a percentile curve, few enough for a bar chart. */
const BUCKETS_PER_DECADE = 10;
const FIRST_BUCKET_MS = 0.01;

export function bucketUpperBoundMs(index: number): number {
  return Number((FIRST_BUCKET_MS * 10 ** (index / BUCKETS_PER_DECADE)).toPrecision(3));
}

/** The chart bucket a latency falls in: the first whose upper bound is at least `ms`. */
export function bucketIndex(ms: number): number {
  if (ms <= FIRST_BUCKET_MS) return 0;
  let i = Math.ceil(Math.log10(ms / FIRST_BUCKET_MS) * BUCKETS_PER_DECADE - 1e-9);
  // Bounds are rounded to 3 digits, which can move them across the value either way.
  while (i > 0 && bucketUpperBoundMs(i - 1) >= ms) i--;
  while (bucketUpperBoundMs(i) < ms) i++;
  return i;
}

/**
 * Latencies in ms, kept in an HdrHistogram at microsecond resolution (3 significant digits), plus log-spaced
 * counts for charts. The pure-JS histogram is used: WebAssembly would need an async init for little gain here.
 */
export class LatencyRecorder {
  private readonly histogram: Histogram = build({
    useWebAssembly: false,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });
  private readonly buckets: number[] = [];

  record(ms: number): void {
    this.histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
    const i = bucketIndex(ms);
    this.buckets[i] = (this.buckets[i] ?? 0) + 1;
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  /** Value at a percentile (0..100) in ms, or undefined when nothing was recorded. */
  percentile(p: number): number | undefined {
    if (this.histogram.totalCount === 0) return undefined;
    return this.histogram.getValueAtPercentile(p) / 1000;
  }

  summary(): LatencySummary {
    const h = this.histogram;
    if (h.totalCount === 0) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, 'p99.9': 0, max: 0 };
    const ms = (us: number): number => Math.round(us) / 1000;
    return {
      count: h.totalCount,
      min: ms(h.minNonZeroValue),
      mean: ms(h.mean),
      p50: ms(h.getValueAtPercentile(50)),
      p90: ms(h.getValueAtPercentile(90)),
      p99: ms(h.getValueAtPercentile(99)),
      'p99.9': ms(h.getValueAtPercentile(99.9)),
      max: ms(h.maxValue),
    };
  }

  /** Buckets from the first to the last non-empty one, empty ones between kept so the bars stay evenly spaced. */
  chartBuckets(): LatencyBucket[] {
    const first = this.buckets.findIndex((c) => (c ?? 0) > 0);
    if (first < 0) return [];
    const out: LatencyBucket[] = [];
    for (let i = first; i < this.buckets.length; i++) out.push({ le: bucketUpperBoundMs(i), count: this.buckets[i] ?? 0 });
    return out;
  }

  reset(): void {
    this.histogram.reset();
    this.buckets.length = 0;
  }
}
