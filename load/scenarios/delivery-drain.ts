import { sleep } from '../../harness/process/wait/wait-strategy';

/**
 * How long the pub/sub scenario waits for deliveries after the last publish. `window`: a fixed drain period.
 * `until-empty`: until every subscriber has every event, or stops making progress, bounded by `maxMs`.
 */
export type DrainPolicy = { kind: 'window'; windowMs: number } | { kind: 'until-empty'; maxMs: number };

/**
 * A subscriber that received nothing for this long while events were still missing has stopped receiving them:
 * what it lacks then is lost. One that is still receiving (its ledger grows poll after poll) is working through a
 * queue: what it lacks is backlog.
 */
export const STALL_MS = 3_000;
/** `until-empty` gives a silent subscriber this long before it stops waiting (a broker may redeliver late). */
export const UNTIL_EMPTY_PATIENCE_MS = 10_000;

export interface SubscriberDrain {
  subscriber: string;
  /** Acknowledged events not delivered when the drain ended. `backlog + lost`. */
  missing: number;
  /** Missing, but the subscriber was still receiving when the drain ended: queued behind a subscriber that is behind. */
  backlog: number;
  /**
   * Missing, the subscriber had received nothing for `STALL_MS`, and the broker holds nothing more for it (where it
   * can be asked; where it cannot, whatever a stalled subscriber lacks): nothing more is coming.
   */
  lost: number;
  /** Missing when the last publish went out. */
  missingAtStart: number;
  /** ms from the drain's start until the subscriber had every event, when it got there and lagged at the start. */
  drainedAfterMs?: number;
}

export interface DrainOutcome {
  subscribers: SubscriberDrain[];
  endedBy: 'empty' | 'window' | 'max' | 'stalled' | 'aborted';
  elapsedMs: number;
}

export interface DrainDeps {
  /** Acknowledged events the subscriber has processed so far. */
  deliveredCount(subscriber: string): Promise<number>;
  now?: () => number;
  wait?: (ms: number) => Promise<void>;
  pollMs?: number;
  stallMs?: number;
  patienceMs?: number;
  signal?: AbortSignal;
  onPoll?: (missing: number[]) => void;
  /**
   * Messages the broker still holds for the subscriber (undelivered or unacknowledged), where it can say. A stalled
   * subscriber the broker still holds messages for is paused, not losing them: all it lacks is backlog, since what its
   * sidecar took before it stopped (acknowledged to the broker, not yet handed to the app) is in flight, not gone.
   * One the broker holds nothing for (no consumer any more, or a consumer with nothing left) has lost what it lacks.
   */
  held?(subscriber: string): Promise<number | undefined>;
}

/**
 * Polls every subscriber's delivered count until the policy says stop, then splits what is still missing into
 * backlog (the subscriber is still receiving: overload) and lost (it stopped receiving), so a deployment that is
 * merely behind is never reported as one that loses data.
 */
export async function drainDeliveries(
  subscribers: string[],
  acknowledged: number,
  policy: DrainPolicy,
  deps: DrainDeps,
): Promise<DrainOutcome> {
  const now = deps.now ?? Date.now;
  const wait = deps.wait ?? ((ms: number) => sleep(ms));
  const pollMs = deps.pollMs ?? 1000;
  const stallMs = deps.stallMs ?? STALL_MS;
  const patienceMs = Math.max(stallMs, deps.patienceMs ?? UNTIL_EMPTY_PATIENCE_MS);
  const start = now();
  const limitMs = policy.kind === 'window' ? policy.windowMs : policy.maxMs;
  const state = new Map(
    subscribers.map((s) => [s, { delivered: -1, lastProgressAt: start, missingAtStart: -1, drainedAt: undefined as number | undefined }]),
  );
  let endedBy: DrainOutcome['endedBy'];
  for (;;) {
    const counts = await Promise.all(subscribers.map((s) => deps.deliveredCount(s)));
    const t = now();
    subscribers.forEach((s, i) => {
      const st = state.get(s)!;
      const delivered = counts[i] as number;
      if (st.missingAtStart < 0) st.missingAtStart = acknowledged - delivered;
      if (delivered > st.delivered) {
        if (st.delivered >= 0) st.lastProgressAt = t;
        st.delivered = delivered;
      }
      if (delivered >= acknowledged && st.drainedAt === undefined) st.drainedAt = t;
    });
    deps.onPoll?.(subscribers.map((s) => acknowledged - state.get(s)!.delivered));
    const pending = subscribers.filter((s) => state.get(s)!.delivered < acknowledged);
    if (pending.length === 0) {
      endedBy = 'empty';
      break;
    }
    if (deps.signal?.aborted) {
      endedBy = 'aborted';
      break;
    }
    if (t - start >= limitMs) {
      endedBy = policy.kind === 'window' ? 'window' : 'max';
      break;
    }
    if (policy.kind === 'until-empty' && pending.every((s) => t - state.get(s)!.lastProgressAt >= patienceMs)) {
      endedBy = 'stalled';
      break;
    }
    await wait(Math.min(pollMs, Math.max(0, start + limitMs - t)));
  }
  const end = now();
  const outcomes = await Promise.all(
    subscribers.map(async (s) => {
      const st = state.get(s)!;
      const missing = Math.max(0, acknowledged - st.delivered);
      const receiving = end - st.lastProgressAt < stallMs;
      const held = receiving || missing === 0 ? undefined : await deps.held?.(s);
      const backlog = receiving || (held ?? 0) > 0 ? missing : 0;
      const out: SubscriberDrain = {
        subscriber: s,
        missing,
        backlog,
        lost: missing - backlog,
        missingAtStart: Math.max(0, st.missingAtStart),
      };
      if (st.drainedAt !== undefined && st.missingAtStart > 0) out.drainedAfterMs = st.drainedAt - start;
      return out;
    }),
  );
  return { endedBy, elapsedMs: end - start, subscribers: outcomes };
}
