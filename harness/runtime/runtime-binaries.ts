import { cacheRoot } from '../paths';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { usageError } from '../errors/harness-error';

export const RUNTIME_MODULE_DIR = resolve(import.meta.dirname, '../../runtime');

/** The Dapr release the runtime module pins, read from runtime/go.mod so there is one source of truth. */
export function pinnedDaprVersion(): string {
  const gomod = readFileSync(join(RUNTIME_MODULE_DIR, 'go.mod'), 'utf8');
  const match = /^require github\.com\/dapr\/dapr (v[0-9][^\s]*)/m.exec(gomod);
  if (!match?.[1]) throw new Error('runtime/go.mod does not require github.com/dapr/dapr');
  return match[1];
}


export interface RuntimeBinaries {
  version: string;
  dir: string;
  daprd: string;
  sentry: string;
}

export function runtimeBinaries(version = pinnedDaprVersion()): RuntimeBinaries {
  const dir = process.env.DAPR_HARNESS_RUNTIME_DIR || join(cacheRoot(), `dapr-${version}`);
  return { version, dir, daprd: join(dir, 'daprd'), sentry: join(dir, 'sentry') };
}

export function runtimeIsBuilt(bins: RuntimeBinaries = runtimeBinaries()): boolean {
  return existsSync(bins.daprd) && existsSync(bins.sentry);
}

/** The binaries, or a usage error telling how to build them. */
export function requireRuntime(): RuntimeBinaries {
  const bins = runtimeBinaries();
  if (!runtimeIsBuilt(bins)) {
    throw usageError(
      'RUNTIME_MISSING',
      `Dapr runtime ${bins.version} is not built (looked in ${bins.dir})`,
      'run `npm run runtime` (needs Go; about 10 minutes the first time)',
    );
  }
  return bins;
}
