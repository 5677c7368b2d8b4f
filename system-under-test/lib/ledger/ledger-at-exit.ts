import { log } from '../json-log';
import type { DeliveryLedger } from './delivery-ledger';

/** The log line's message, which the harness looks for in the log of an instance it ended. */
export const LEDGER_AT_EXIT = 'ledger at exit';

/** The most events the line lists (newest first): enough for any probe, bounded for a ledger after a load run. */
const MAX_LISTED = 20_000;

export interface LedgerAtExit {
  total: number;
  unique: number;
  duplicates: number;
  /** `<topic>/<eventId>` of every processed delivery since the last reset (the newest MAX_LISTED). */
  events: string[];
}

export function ledgerAtExit(ledger: DeliveryLedger, maxListed = MAX_LISTED): LedgerAtExit {
  const view = ledger.query({ limit: maxListed });
  return {
    total: view.total,
    unique: view.unique,
    duplicates: view.duplicates,
    events: view.entries.map((e) => `${e.topic}/${e.eventId}`),
  };
}

/**
 * Writes the ledger to stdout as the process exits: what an instance processed is not lost with it when its pod
 * is deleted or its process stopped, so a probe can account for every delivery across a replacement. stdout to a
 * pipe or file is written synchronously, so the line is out before the process is.
 */
export function logLedgerAtExit(ledger: DeliveryLedger): void {
  process.once('exit', () => log('info', LEDGER_AT_EXIT, { ...ledgerAtExit(ledger) }));
}
