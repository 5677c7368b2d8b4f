import type { Range } from '../../harness/resiliency';
import type { ChaosResult } from '../../harness/results/results-model';
import { recordChaos } from '../../harness/suite-runner/suite-context';

/**
 * One chaos probe's record: what the model expects, what was observed, and the checks between them. The verdict
 * recorded in results.json and the test's own failure come from the same checks, so they cannot disagree, and a
 * probe that throws half-way is still recorded (failed, with the error as its note).
 */
export type ProbeValue = number | string;

export class ProbeRecord {
  readonly expected: Record<string, ProbeValue> = {};
  readonly observed: Record<string, ProbeValue> = {};
  readonly tolerance: Record<string, number> = {};
  readonly failures: string[] = [];
  /** The model's account of the policy the probe derived its expectation from. */
  policy?: string;
  readonly notes: string[] = [];

  /** Observed must equal expected; `undefined` is recorded as "none". */
  equal(name: string, expected: ProbeValue | undefined, observed: ProbeValue | undefined, why = ''): boolean {
    this.expected[name] = expected ?? 'none';
    this.observed[name] = observed ?? 'none';
    const ok = expected === observed;
    if (!ok) this.failures.push(`${name}: expected ${show(expected)}, observed ${show(observed)}${why ? ` (${why})` : ''}`);
    return ok;
  }

  /** Observed must lie in [min, max]; a range of one value is recorded as that number. */
  within(name: string, range: Range, observed: number, why = ''): boolean {
    this.expected[name] = formatRange(range);
    this.observed[name] = observed;
    const ok = observed >= range.min && observed <= range.max;
    if (!ok) this.failures.push(`${name}: expected ${formatRange(range)}, observed ${observed}${why ? ` (${why})` : ''}`);
    return ok;
  }

  /** A measured value with no expectation of its own (shown beside the compared ones). */
  observe(name: string, value: ProbeValue): void {
    this.observed[name] = value;
  }

  note(text: string): void {
    this.notes.push(text);
  }
}

export function formatRange(range: Range): ProbeValue {
  const show = (n: number): string => (n === Infinity ? '∞' : String(Math.round(n)));
  if (range.min === range.max) return range.max === Infinity ? '∞' : range.max;
  return `${show(range.min)}..${show(range.max)}`;
}

function show(v: ProbeValue | undefined): string {
  return v === undefined ? 'none' : typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** A probe whose checks failed; carries the record that was written. */
export class ProbeFailure extends Error {
  constructor(
    message: string,
    readonly result: ChaosResult,
  ) {
    super(message);
    this.name = 'ProbeFailure';
  }
}

/**
 * Runs one probe and records its ChaosResult whatever happens. Resolves with the (passing) result; rejects with a
 * ProbeFailure naming every failed check, or with the error the probe threw, after recording it as failed.
 */
export async function chaosProbe(
  identity: { probe: string; target: string },
  body: (record: ProbeRecord) => Promise<void>,
): Promise<ChaosResult> {
  const record = new ProbeRecord();
  let thrown: unknown;
  try {
    await body(record);
  } catch (err) {
    thrown = err;
  }
  const error = thrown === undefined ? undefined : thrown instanceof Error ? thrown.message : String(thrown);
  const notes = [
    ...record.notes,
    ...record.failures.map((f) => `mismatch: ${f}`),
    ...(error !== undefined ? [`probe failed before it finished: ${error}`] : []),
  ];
  const result: ChaosResult = {
    probe: identity.probe,
    target: identity.target,
    ...(record.policy !== undefined ? { policy: record.policy } : {}),
    expected: record.expected,
    observed: record.observed,
    ...(Object.keys(record.tolerance).length > 0 ? { tolerance: record.tolerance } : {}),
    passed: thrown === undefined && record.failures.length === 0,
    ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
  };
  recordChaos(result);
  if (thrown !== undefined) throw thrown;
  if (record.failures.length > 0) throw new ProbeFailure(`${identity.probe} (${identity.target}): ${record.failures.join('; ')}`, result);
  return result;
}
