import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { usageError } from '../errors/harness-error';

const GO_TIMEOUT_MS = 180_000;

/**
 * Where the Go module cache holds Dapr's source for `version`: its CRDs (charts/dapr/crds) and chart values are
 * the reference the manifests are checked against, at the release the harness builds its sidecar from.
 */
export function daprModuleDir(version: string, go = process.env.GO ?? 'go'): string {
  const module = `github.com/dapr/dapr@${version}`;
  let out: string;
  try {
    // Outside any module, so the project's go.mod (and its toolchain line) play no part.
    out = execFileSync(go, ['mod', 'download', '-json', module], {
      cwd: tmpdir(),
      encoding: 'utf8',
      timeout: GO_TIMEOUT_MS,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') {
      throw usageError(
        'GO_MISSING',
        `\`${go}\` not found: Dapr's CRDs are read from its Go module ${module}`,
        'install Go (the harness needs it to build daprd anyway) or point GO at it',
      );
    }
    const detail = moduleError(e.stdout) ?? (e.stderr ?? e.message).trim().split('\n')[0];
    throw usageError(
      'DAPR_MODULE_MISSING',
      `cannot download ${module}: ${detail}`,
      `run \`go mod download ${module}\` with access to the Go module proxy`,
    );
  }
  const info = JSON.parse(out) as { Dir?: string; Error?: string };
  if (!info.Dir)
    throw usageError(
      'DAPR_MODULE_MISSING',
      `go mod download gave no directory for ${module}: ${info.Error ?? 'no error given'}`,
      `run \`go mod download ${module}\``,
    );
  return info.Dir;
}

function moduleError(stdout: string | undefined): string | undefined {
  try {
    return (JSON.parse(stdout ?? '') as { Error?: string }).Error;
  } catch {
    return undefined;
  }
}
