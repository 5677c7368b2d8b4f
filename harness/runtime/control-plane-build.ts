import { join } from 'node:path';
import type { Progress } from '../console/progress';
import { cacheRoot } from '../paths';
import { requireCommand } from '../process/required-commands';
import { DAPR_BUILD_TAGS, daprLdflags } from './build-runtime';
import { builtInto, goBuildInto } from './go-build';
import { RUNTIME_MODULE_DIR, pinnedDaprVersion } from './runtime-binaries';

/** Every binary Dapr's Helm chart runs, daprd included (the injector adds it to each annotated pod). */
export const CONTROL_PLANE_BINARIES = ['daprd', 'injector', 'operator', 'placement', 'scheduler', 'sentry'] as const;
export type ControlPlaneBinary = (typeof CONTROL_PLANE_BINARIES)[number];

export interface ControlPlaneBinaries {
  version: string;
  dir: string;
  paths: Record<ControlPlaneBinary, string>;
}

export function controlPlaneBinaries(version = pinnedDaprVersion()): ControlPlaneBinaries {
  // Not the local runtime's dir: these are static (CGO off), so an image needs no libc beside them.
  const dir = join(cacheRoot(), `dapr-${version}-static`);
  const paths = Object.fromEntries(CONTROL_PLANE_BINARIES.map((name) => [name, join(dir, name)])) as Record<ControlPlaneBinary, string>;
  return { version, dir, paths };
}

/**
 * Builds the control plane from the module runtime/ pins: daprd and sentry from runtime/cmd (daprd with the same
 * component set as the local runtime, jetstream included), the other four straight from Dapr's cmd/ packages.
 */
export async function buildControlPlane(
  progress: Progress,
  opts: { force?: boolean; signal?: AbortSignal } = {},
): Promise<{ binaries: ControlPlaneBinaries; built: boolean; seconds: number }> {
  const binaries = controlPlaneBinaries();
  const started = Date.now();
  if (!opts.force && builtInto(binaries.dir, [...CONTROL_PLANE_BINARIES])) return { binaries, built: false, seconds: 0 };
  requireCommand('go', 'install Go (https://go.dev/dl) or `apt-get install golang`');
  await goBuildInto(binaries.dir, {
    moduleDir: RUNTIME_MODULE_DIR,
    packages: ['./cmd/daprd', './cmd/sentry', ...['injector', 'operator', 'placement', 'scheduler'].map((c) => `github.com/dapr/dapr/cmd/${c}`)],
    outputs: [...CONTROL_PLANE_BINARIES],
    tags: DAPR_BUILD_TAGS,
    ldflags: daprLdflags(binaries.version),
    env: { CGO_ENABLED: '0' },
    what: `the Dapr ${binaries.version} control plane build`,
    progress,
    signal: opts.signal,
  });
  return { binaries, built: true, seconds: (Date.now() - started) / 1000 };
}
