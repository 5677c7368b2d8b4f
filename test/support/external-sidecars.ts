import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Deployment } from '../../harness/targets/deployment';
import { REPO_ROOT } from '../../harness/paths';

/** A sidecars file describing a running deployment, for `--target external` runs against it. */
export function sidecarsFileFor(d: Deployment, resourcesPaths: string[] = [join(REPO_ROOT, 'dapr-components')]): string {
  const dir = mkdtempSync(join(tmpdir(), 'sidecars-'));
  writeFileSync(join(dir, 'ca.pem'), d.trustAnchors ?? '');
  writeFileSync(
    join(dir, 'sidecars.yaml'),
    stringify({
      trustAnchorsFile: 'ca.pem',
      resourcesPaths,
      apps: d.apps.map((a) => ({
        appId: a.appId,
        sidecar: a.sidecar.httpUrl,
        app: a.appUrl,
        metrics: a.sidecar.metricsUrl,
        internalGrpc: a.sidecar.internalGrpcAddress,
      })),
    }),
  );
  return join(dir, 'sidecars.yaml');
}
