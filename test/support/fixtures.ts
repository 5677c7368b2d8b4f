import { mkdtempSync, cpSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_RUN_ROOT } from '../../harness/paths';

export const FIXTURES = resolve(import.meta.dirname, '../fixtures');
export const PROBE_RUN_FILE = join(FIXTURES, 'probe.dapr.yaml');

/**
 * A private copy of the probe fixture that a test may break without touching the committed one. It lives inside
 * the repository (under the ignored .run/) so that the probe app still resolves tsx from node_modules.
 */
export function probeFixtureCopy(): { dir: string; runFile: string; resources: string } {
  const parent = join(DEFAULT_RUN_ROOT, 'fixtures');
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, 'probe-'));
  cpSync(FIXTURES, dir, { recursive: true });
  return { dir, runFile: join(dir, 'probe.dapr.yaml'), resources: join(dir, 'probe-resources') };
}

export function tempRunRoot(): string {
  return mkdtempSync(join(tmpdir(), 'dapr-harness-runs-'));
}
