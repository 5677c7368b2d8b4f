import { mkdtempSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const FIXTURES = resolve(import.meta.dirname, '../fixtures');
export const PROBE_RUN_FILE = join(FIXTURES, 'probe.dapr.yaml');

/** A private copy of the probe fixture that a test may break without touching the committed one. */
export function probeFixtureCopy(): { dir: string; runFile: string; resources: string } {
  const dir = mkdtempSync(join(tmpdir(), 'dapr-harness-probe-'));
  cpSync(FIXTURES, dir, { recursive: true });
  return { dir, runFile: join(dir, 'probe.dapr.yaml'), resources: join(dir, 'probe-resources') };
}

export function tempRunRoot(): string {
  return mkdtempSync(join(tmpdir(), 'dapr-harness-runs-'));
}
