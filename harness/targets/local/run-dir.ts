import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Sortable and unique: 20261127-064501-a1b2. */
export function newRunId(now = new Date()): string {
  const iso = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${iso}-${randomBytes(2).toString('hex')}`;
}

export interface RunDir {
  id: string;
  dir: string;
  logs: string;
}

export function makeRunDir(root: string, id: string): RunDir {
  const dir = join(root, id);
  const logs = join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  return { id, dir, logs };
}

/** Set on every process the harness starts, so that a sweep can find strays of one run by their environment. */
export const RUN_ID_ENV = 'DAPR_HARNESS_RUN_ID';
