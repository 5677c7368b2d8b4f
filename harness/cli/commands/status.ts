import { sidecarMetadata, type SidecarMetadata as Metadata } from '../../targets/sidecar-metadata';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pidAlive, readCurrentRun } from '../../targets/local/current-run';
import { renderTable } from '../../console/table';

/** Like `dapr list`: each app of the running deployment, its sidecar's health, version and components. */
export async function statusCommand(opts: { runRoot: string; json?: boolean }): Promise<number> {
  const current = readCurrentRun(resolve(opts.runRoot));
  if (!current) {
    process.stdout.write('no local deployment is running (start one with `npm run up -- --detach`)\n');
    return 1;
  }
  const rows = await Promise.all(
    current.apps.map(async (a) => {
      const health = await probe(`${a.sidecar.httpUrl}/v1.0/healthz`);
      let meta: Metadata = {};
      try {
        const token = process.env.DAPR_API_TOKEN || tokenOf(current.apiToken?.file);
        meta = await sidecarMetadata(a.sidecar.httpUrl, token, 3000);
      } catch {
        // reported as unhealthy below
      }
      return {
        appId: a.appId,
        healthy: health === 204,
        http: a.sidecar.httpUrl,
        version: meta.runtimeVersion ?? '?',
        components: meta.components?.length ?? 0,
      };
    }),
  );
  const supervisor = pidAlive(current.supervisorPid);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ runId: current.runId, supervisorAlive: supervisor, apps: rows }, null, 2)}\n`);
  } else {
    process.stdout.write(
      `${renderTable(
        ['APP ID', 'HEALTH', 'DAPR HTTP', 'RUNTIME', 'COMPONENTS'],
        rows.map((r) => [r.appId, r.healthy ? 'healthy' : 'UNHEALTHY', r.http.replace('http://', ''), r.version, String(r.components)]),
      )}\n` +
        `run ${current.runId} · supervisor pid ${current.supervisorPid} ${supervisor ? 'alive' : 'GONE'} · started ${current.startedAt}\n`,
    );
  }
  return supervisor && rows.every((r) => r.healthy) ? 0 : 1;
}

/** The token a deployment generated for itself, from the file only its user can read. */
function tokenOf(file: string | undefined): string | undefined {
  try {
    return file ? readFileSync(file, 'utf8').trim() : undefined;
  } catch {
    return undefined;
  }
}

async function probe(url: string): Promise<number> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}
