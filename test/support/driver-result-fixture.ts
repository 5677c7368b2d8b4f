import type { DriverResult } from '../../load/driver/driver-result';

/** A small open-model result with every field filled, for result and formatting tests. */
export function openResultFixture(overrides: Partial<DriverResult> = {}): DriverResult {
  return {
    model: 'open',
    settings: {
      url: 'http://127.0.0.1:3500/',
      model: 'open',
      ratePerSecond: 100,
      connections: 16,
      pipelining: 1,
      durationMs: 2000,
      warmupMs: 0,
      timeoutMs: 10000,
      maxRequests: 10000000,
      maxInFlight: 10000,
    },
    partial: false,
    stopReason: 'completed',
    startedAt: '2025-01-01T00:00:00.000Z',
    measuredMs: 2000,
    totals: {
      sent: 200,
      completed: 196,
      ok: 190,
      errors: 6,
      timeouts: 2,
      dropped: 4,
      unfinished: 0,
      errorsByKind: { http_500: 4, timeout: 2 },
    },
    warmup: { sent: 0, completed: 0, dropped: 0 },
    driver: {
      latenessP99Ms: 1.2,
      latenessMaxMs: 3,
      eventLoopDelayP99Ms: 11,
      eventLoopDelayMaxMs: 14,
      cpuCores: 0.1,
      limited: false,
      reasons: [],
    },
    requestedRatePerSecond: 100,
    achievedRatePerSecond: 100,
    latency: {
      corrected: { count: 194, min: 0.2, mean: 12, p50: 1.5, p90: 20, p99: 480, 'p99.9': 500, max: 510 },
      uncorrected: { count: 194, min: 0.1, mean: 0.5, p50: 0.3, p90: 0.6, p99: 1.2, 'p99.9': 500, max: 505 },
    },
    histogram: {
      corrected: [
        { le: 1, count: 90 },
        { le: 1.26, count: 0 },
        { le: 2, count: 100 },
        { le: 501, count: 4 },
      ],
      uncorrected: [
        { le: 0.5, count: 190 },
        { le: 501, count: 4 },
      ],
    },
    timeline: [
      { t: 0, requests: 100, errors: 4, errorsByKind: { http_500: 4 }, p50: 1.5, p99: 3, ratePerSecond: 100, dropped: 0 },
      { t: 1, requests: 96, errors: 2, errorsByKind: { timeout: 2 }, p50: 1.4, p99: 480, ratePerSecond: 100, dropped: 4 },
    ],
    ...overrides,
  };
}
