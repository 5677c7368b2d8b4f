import type { CapacityRecord, CapacityStepRecord } from '../../harness/results/results-model';

export type CapacityStep = CapacityStepRecord;

export interface SearchPlan {
  startRatePerSecond: number;
  /** Coarse steps multiply the rate by this until a step breaks the criteria. */
  factor: number;
  /** Bisection stops once the broken rate is within this ratio of the highest met rate (1.1 = 10 %). */
  resolution: number;
  maxRatePerSecond: number;
  minRatePerSecond: number;
  /** No step starts unless the one before it, taken again, would still end within this budget. */
  maxTimeMs: number;
}

export interface CapacitySearch {
  steps: CapacityStep[];
  /** The highest rate that met the criteria. */
  maxMetRatePerSecond?: number;
  /** The lowest rate that broke them. */
  brokenRatePerSecond?: number;
  endedBy: CapacityRecord['endedBy'];
}

export const SEARCH_DEFAULTS: Omit<SearchPlan, 'startRatePerSecond' | 'maxTimeMs'> = {
  factor: 2,
  resolution: 1.1,
  maxRatePerSecond: 100_000,
  minRatePerSecond: 1,
};

/**
 * Finds the knee: coarse steps up (× factor) until a step breaks the criteria, then bisection between the highest
 * rate that met them and the lowest that broke them. When the first step already breaks them it steps down
 * instead. Bounded by `maxTimeMs` and by the signal; either way the steps measured so far are the answer.
 */
export async function searchCapacity(
  measure: (ratePerSecond: number) => Promise<CapacityStep>,
  plan: SearchPlan,
  opts: { signal?: AbortSignal; now?: () => number } = {},
): Promise<CapacitySearch> {
  const now = opts.now ?? Date.now;
  const started = now();
  const steps: CapacityStep[] = [];
  let met: number | undefined;
  let broken: number | undefined;
  const result = (endedBy: CapacitySearch['endedBy']): CapacitySearch => ({
    steps,
    endedBy,
    ...(met !== undefined ? { maxMetRatePerSecond: met } : {}),
    ...(broken !== undefined ? { brokenRatePerSecond: broken } : {}),
  });
  let rate = clampRate(plan.startRatePerSecond, plan);
  for (;;) {
    if (opts.signal?.aborted) return result('aborted');
    const last = steps[steps.length - 1];
    if (last && now() - started + last.elapsedMs > plan.maxTimeMs) return result('max-time');
    const step = await measure(rate);
    if (opts.signal?.aborted) return result('aborted');
    steps.push(step);
    if (step.met) met = Math.max(met ?? 0, rate);
    else broken = Math.min(broken ?? Infinity, rate);

    if (broken === undefined) {
      if (rate >= plan.maxRatePerSecond) return result('max-rate');
      rate = clampRate(rate * plan.factor, plan);
    } else if (met === undefined) {
      if (rate <= plan.minRatePerSecond) return result('min-rate');
      rate = clampRate(rate / plan.factor, plan);
    } else {
      if (broken / met <= plan.resolution || broken - met <= 1) return result('resolution');
      rate = Math.round((met + broken) / 2);
    }
  }
}

function clampRate(rate: number, plan: SearchPlan): number {
  return Math.max(plan.minRatePerSecond, Math.min(plan.maxRatePerSecond, Math.round(rate)));
}
