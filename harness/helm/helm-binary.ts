import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Progress } from '../console/progress';
import { runtimeError } from '../errors/harness-error';
import { cacheRoot } from '../paths';
import { requireCommand } from '../process/required-commands';
import { builtInto, goBuildInto } from '../runtime/go-build';

export const HELM_MODULE_DIR = resolve(import.meta.dirname, '../../runtime/helm');

function requiredVersion(module: string): string {
  const gomod = readFileSync(join(HELM_MODULE_DIR, 'go.mod'), 'utf8');
  const match = new RegExp(`^\\s*(?:require\\s+)?${module.replace(/[./]/g, '\\$&')} (v[0-9][^\\s]*)`, 'm').exec(gomod);
  if (!match?.[1])
    throw runtimeError('HELM_MODULE_BROKEN', `${HELM_MODULE_DIR}/go.mod does not require ${module}`, 'restore runtime/helm/go.mod');
  return match[1];
}

/** The Helm release runtime/helm/go.mod pins. */
export function pinnedHelmVersion(): string {
  return requiredVersion('helm.sh/helm/v3');
}

export function helmBinaryPath(version = pinnedHelmVersion()): string {
  return join(cacheRoot(), `helm-${version}`, 'helm');
}

/**
 * Helm built from its module once into the cache, with the version ldflags its Makefile sets: `helm version`
 * reports the release, and `.Capabilities.KubeVersion` defaults to the Kubernetes minor of the client-go it was
 * built with instead of Helm's fallback.
 */
export async function ensureHelm(progress: Progress): Promise<string> {
  const version = pinnedHelmVersion();
  const binary = helmBinaryPath(version);
  if (builtInto(dirname(binary), ['helm'])) return binary;
  requireCommand('go', 'install Go (https://go.dev/dl) or `apt-get install golang`');
  const kubeMinor = /^v0\.(\d+)\./.exec(requiredVersion('k8s.io/client-go'))?.[1] ?? '';
  const ldflags = [
    '-s',
    '-w',
    `-X helm.sh/helm/v3/internal/version.version=${version}`,
    '-X helm.sh/helm/v3/internal/version.gitTreeState=clean',
    ...(kubeMinor
      ? ['lint/rules', 'chartutil'].flatMap((pkg) => [
          `-X helm.sh/helm/v3/pkg/${pkg}.k8sVersionMajor=1`,
          `-X helm.sh/helm/v3/pkg/${pkg}.k8sVersionMinor=${kubeMinor}`,
        ])
      : []),
  ].join(' ');
  await goBuildInto(dirname(binary), {
    moduleDir: HELM_MODULE_DIR,
    packages: ['helm.sh/helm/v3/cmd/helm'],
    outputs: ['helm'],
    ldflags,
    env: { CGO_ENABLED: '0' },
    what: `the Helm ${version} build`,
    progress,
  });
  return binary;
}
