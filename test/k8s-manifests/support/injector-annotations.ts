import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every pod annotation Dapr's sidecar injector reads, from its own source (pkg/injector/annotations), so that a
 * misspelt `dapr.io/…` key, which the injector would ignore without a word, fails a test.
 */
export function injectorAnnotations(daprModuleDir: string): Set<string> {
  const source = readFileSync(join(daprModuleDir, 'pkg/injector/annotations/annotations.go'), 'utf8');
  const keys = [...source.matchAll(/^\s*Key\w+\s*=\s*"(dapr\.io\/[^"]+)"/gm)].map((m) => m[1] as string);
  if (keys.length === 0) throw new Error(`no dapr.io/ annotation keys found in ${daprModuleDir}/pkg/injector/annotations`);
  return new Set(keys);
}
