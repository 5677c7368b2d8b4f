import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runtimeError, usageError } from '../../errors/harness-error';
import { startDetachedSupervisor, writeSupervisorFailure } from '../../process/detached-supervisor';
import { clearCurrentRun, pidAlive, readCurrentRun, writeCurrentRun } from '../../targets/local/current-run';
import { startLocalDeployment, type LocalDeployment } from '../../targets/local/local-target';
import { type LocalDeploymentDescription } from '../../targets/local/deployment-description';
import { newRunId, RUN_ID_ENV } from '../../targets/local/run-dir';
import { DEFAULT_RUN_FILE, DEFAULT_RUN_ROOT } from '../../paths';
import { createProgress } from '../../console/progress';
import { renderTable } from '../../console/table';
import { onInterrupt } from '../../session/interrupts';
import { parseSelection } from '../../targets/local/components/component-choices';

export interface UpOptions {
  runFile: string;
  runRoot: string;
  detach?: boolean;
  supervise?: boolean;
  runId?: string;
  readyTimeout: string;
  /** The pub/sub and state components to run (`--pubsub`, `--state`); NATS and Redis when absent. */
  pubsub?: string;
  state?: string;
}

export const UP_DEFAULTS = { runFile: DEFAULT_RUN_FILE, runRoot: DEFAULT_RUN_ROOT, readyTimeout: '180' };

export async function upCommand(opts: UpOptions): Promise<number> {
  const runRoot = resolve(opts.runRoot);
  parseSelection(opts);
  if (!opts.supervise) refuseIfRunning(runRoot);
  if (opts.detach) return detach(opts, runRoot);
  if (!opts.supervise) return foreground(opts, runRoot);
  try {
    return await foreground(opts, runRoot);
  } catch (err) {
    // The detached parent reads this to report the failure as its own, with the right exit code.
    writeSupervisorFailure(join(runRoot, opts.runId ?? '', 'failure.json'), err, { code: 'UP_FAILED', hint: 'see supervisor.log' });
    throw err;
  }
}

function refuseIfRunning(runRoot: string): void {
  const current = readCurrentRun(runRoot);
  if (current && pidAlive(current.supervisorPid)) {
    throw usageError(
      'ALREADY_UP',
      `a local deployment is already running (run ${current.runId}, pid ${current.supervisorPid})`,
      'stop it with `npm run down`, or pass another --run-root',
    );
  }
}

/** Starts the deployment and keeps it up until SIGINT/SIGTERM; every exit path stops what was started. */
async function foreground(opts: UpOptions, runRoot: string): Promise<number> {
  const progress = createProgress();
  const abort = new AbortController();
  let deployment: LocalDeployment | undefined;
  let release: (() => void) | undefined;
  const stopListening = onInterrupt((signal) => {
    if (!deployment) {
      abort.abort(runtimeError('INTERRUPTED', `start interrupted by ${signal}`, 'everything started so far was stopped'));
    } else {
      release?.();
    }
  });
  try {
    progress.log(`starting the local reference deployment from ${opts.runFile}`);
    deployment = await startLocalDeployment({
      runFile: opts.runFile,
      runRoot,
      runId: opts.runId,
      progress,
      signal: abort.signal,
      components: parseSelection(opts),
    });
    writeCurrentRun(runRoot, { ...deployment.describe(), supervisorPid: process.pid, startedAt: new Date().toISOString() });
    process.stdout.write(`${describeDeployment(deployment.describe())}\n`);
    if (!opts.supervise) progress.log('ready · Ctrl-C stops everything');
    await new Promise<void>((resolveWait) => {
      release = resolveWait;
    });
    progress.log('stopping…');
    return 0;
  } finally {
    if (deployment) {
      await deployment.stop();
      clearCurrentRun(runRoot, deployment.runId);
      progress.log(`stopped; logs are in ${join(deployment.runDir, 'logs')}`);
    }
    stopListening();
  }
}

/**
 * Starts a supervisor (this command with --supervise) in its own session and returns once it reports ready.
 * The supervisor owns the processes; `down` asks it to stop them.
 */
async function detach(opts: UpOptions, runRoot: string): Promise<number> {
  const runId = opts.runId ?? newRunId();
  const runDir = join(runRoot, runId);
  mkdirSync(runDir, { recursive: true });
  const timeoutMs = Number(opts.readyTimeout) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw usageError('BAD_FLAG', `--ready-timeout ${opts.readyTimeout} is not a number of seconds`, 'e.g. --ready-timeout 180');
  const progress = createProgress();
  const { pid, ready } = await startDetachedSupervisor({
    command: process.execPath,
    args: [
      '--import',
      'tsx',
      resolve(import.meta.dirname, '../main.ts'),
      'up',
      '--supervise',
      '--run-id',
      runId,
      '--run-file',
      opts.runFile,
      '--run-root',
      runRoot,
      ...(opts.pubsub !== undefined ? ['--pubsub', opts.pubsub] : []),
      ...(opts.state !== undefined ? ['--state', opts.state] : []),
    ],
    env: { [RUN_ID_ENV]: runId, CI: process.env.CI ?? '' },
    logFile: join(runDir, 'supervisor.log'),
    failureFile: join(runDir, 'failure.json'),
    timeoutMs,
    ready: () => {
      const current = readCurrentRun(runRoot);
      return current?.runId === runId ? current : undefined;
    },
    what: `the deployment (run ${runId})`,
    codes: { failed: 'UP_FAILED', timeout: 'UP_TIMEOUT' },
    progress,
  });
  process.stdout.write(`${describeDeployment(ready)}\n`);
  progress.log(`ready (supervisor pid ${pid}) · stop it with \`npm run down\``);
  return 0;
}

export function describeDeployment(d: LocalDeploymentDescription): string {
  const rows = d.apps.map((a) => [
    a.appId,
    a.sidecar.httpUrl.replace('http://', ''),
    a.sidecar.grpcAddress,
    a.appUrl?.replace('http://', '') ?? '',
    a.sidecar.metricsUrl?.replace('http://', '') ?? '',
  ]);
  const deps = d.dependencies.map((x) => `${x.kind} ${x.address}`).join(', ');
  return [
    renderTable(['APP ID', 'DAPR HTTP', 'DAPR GRPC', 'APP', 'METRICS'], rows),
    '',
    `Dapr ${d.daprVersion} · mTLS ${d.mtlsEnabled ? 'on' : 'off'} · ${deps}`,
    `components: ${d.components.map((c) => `${c.name} (${c.type})`).join(', ')}`,
    ...tokenLines(d),
    `run dir: ${d.runDir}`,
  ].join('\n');
}

/** How to get the tokens, never the tokens themselves. */
function tokenLines(d: LocalDeploymentDescription): string[] {
  const api = d.apiToken;
  const app = d.appApiToken;
  const lines: string[] = [];
  if (api?.source === 'generated') lines.push(`sidecars require an API token (dapr-api-token): export DAPR_API_TOKEN="$(cat ${api.file})"`);
  else if (api?.source === 'given') lines.push('sidecars require the API token in your DAPR_API_TOKEN');
  else if (api) lines.push('sidecars require no API token');
  if (app?.source === 'generated')
    lines.push(`apps answer only their sidecar (app API token): export APP_API_TOKEN="$(cat ${app.file})" to call one directly`);
  else if (app?.source === 'given') lines.push('apps answer only their sidecar, which presents the APP_API_TOKEN you set');
  return lines;
}
