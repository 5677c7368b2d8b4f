import { isRecord } from '../field-checks';

/**
 * One entry of a Dapr bulk delivery (`bulkSubscribe` on a subscription): the app answers each entry by its
 * entryId with SUCCESS, RETRY or DROP, so one HTTP request carries up to maxMessagesCount events.
 */
export interface BulkEntry {
  entryId: string;
  /** The CloudEvent (or raw payload) exactly as a per-message delivery would carry it. */
  event: unknown;
}

/** The entries of a bulk delivery, or undefined when the body is an ordinary per-message delivery. */
export function bulkEntries(body: unknown): BulkEntry[] | undefined {
  if (!isRecord(body) || !Array.isArray(body.entries) || typeof body.specversion === 'string') return undefined;
  return body.entries
    .filter((e): e is Record<string, unknown> => isRecord(e) && typeof e.entryId === 'string')
    .map((e) => ({ entryId: e.entryId as string, event: e.event }));
}
