import { processReplacement } from './process-replacement';
import { writeCurrentRun } from './current-run';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Progress } from '../../console/progress';
import { silentProgress } from '../../console/progress';
import { LifecycleStack, ParallelGroup } from '../../process/lifecycle-stack';
import type { ManagedProcess, Stoppable } from '../../process/managed-process';
import { AuditLog } from '../../audit/audit-log';
import { requireRuntime } from '../../runtime/runtime-binaries';
import { findSidecar, type AppEndpoint, type ComponentInfo, type Deployment, type DependencyControl } from '../deployment';
import { appProcess } from './app-process';
import { describeToken, runToken, type TokenOption } from './api-tokens';
import type { LocalDeploymentDescription, ProcessRecord } from './deployment-description';
import { LocalDeathWatch } from './process-deaths';
import { componentType, loadResourceFile, loadResources, type DaprResource } from './dapr-resources';
import { daprdProcess, type SidecarPorts } from './daprd';
import { PortAllocator } from './free-port';
import { readRunTemplate, type RunApp } from './multi-app-run';
import { ensureStreams, natsServer } from './nats-server';
import { redisServer } from './redis-server';
import {
  jetStreamStreams,
  needsNats,
  needsRedis,
  needsRedisType,
  renderConfiguration,
  renderResources,
  type LocalEndpoints,
} from './render-resources';
import { requireServerBinaries } from '../../process/required-commands';
import { makeRunDir, newRunId, RUN_ID_ENV } from './run-dir';
import { DEFAULT_RUN_FILE, DEFAULT_RUN_ROOT } from '../../paths';
import { sentryServer } from './sentry';
import { applySelection, DEFAULT_SELECTION, type ComponentSelection } from './components/component-choices';
import { planComponentServer, requireComponentServers } from './components/component-servers';
import { ZipkinCollector } from '../../observability/zipkin-collector';

export interface LocalTargetOptions {
  runFile?: string;
  runRoot?: string;
  runId?: string;
  progress?: Progress;
  /** Aborting it stops a start in progress; everything started so far is stopped. */
  signal?: AbortSignal;
  /** Where starts and stops are recorded; default: audit.log in the run directory. */
  audit?: AuditLog;
  /**
   * Token every sidecar requires in `dapr-api-token` (DAPR_API_TOKEN); default: the harness's own DAPR_API_TOKEN,
   * else one generated for this run. Apps get it too, so their calls to their sidecar carry it. `false`: none.
   */
  apiToken?: TokenOption;
  /**
   * Token daprd sends to its app in `dapr-api-token` (APP_API_TOKEN), which the apps then require; default: the
   * harness's own APP_API_TOKEN, else one generated for this run. `false`: none.
   */
  appApiToken?: TokenOption;
  /** The pub/sub and state components to run instead of the committed NATS and Redis (`--pubsub`, `--state`). */
  components?: ComponentSelection;
}

export interface LocalDeployment extends Deployment {
  processes(): ProcessRecord[];
  /** Written to deployment.json in the run dir once ready. */
  describe(): LocalDeploymentDescription;
}

interface PlannedApp {
  /** Process name: the app id, or `<app id>-<n>` when the app runs more than once. */
  name: string;
  instance: number;
  app: RunApp;
  appPort: number;
  sidecar: SidecarPorts;
  resources: DaprResource[];
}

/**
 * What a local start needs from this machine, checked before a run begins (no run dir, no process): the servers
 * of the selected components. A missing one is a usage error naming its Debian package.
 */
export function checkLocalPrerequisites(runFile: string, components: ComponentSelection = DEFAULT_SELECTION): void {
  const template = readRunTemplate(runFile);
  const types = template.apps.flatMap((a) =>
    applySelection(loadResources(a.resourcesPaths), a.resourcesPaths, components).map((r) => componentType(r) ?? ''),
  );
  requireComponentServers(types);
}

/**
 * Starts the reference deployment on this machine: our own redis-server and nats-server, Sentry, then every app
 * of the Multi-App Run file with its daprd. Any failure or abort stops what was started, in reverse order.
 */
export async function startLocalDeployment(options: LocalTargetOptions = {}): Promise<LocalDeployment> {
  const progress = options.progress ?? silentProgress;
  const runFile = options.runFile ?? DEFAULT_RUN_FILE;

  // Everything that can be wrong with the input is checked before the first process starts.
  const template = readRunTemplate(runFile);
  const selection = options.components ?? DEFAULT_SELECTION;
  const resourcesByApp = new Map(
    template.apps.map((a) => [a.appId, applySelection(loadResources(a.resourcesPaths), a.resourcesPaths, selection)]),
  );
  // Apps usually share one resources folder: each document once.
  const allResources = uniqueResources([...resourcesByApp.values()].flat());
  const streams = jetStreamStreams(allResources);
  const bins = requireRuntime();
  const servers = requireServerBinaries();
  const componentServers = requireComponentServers(allResources.map((r) => componentType(r) ?? ''));

  const run = makeRunDir(options.runRoot ?? DEFAULT_RUN_ROOT, options.runId ?? newRunId());
  const audit = options.audit ?? new AuditLog(join(run.dir, 'audit.log'));
  const secretsDir = join(run.dir, 'secrets');
  const apiTokenInfo = runToken(options.apiToken, process.env.DAPR_API_TOKEN, secretsDir, 'dapr-api-token');
  const appApiTokenInfo = runToken(options.appApiToken, process.env.APP_API_TOKEN, secretsDir, 'app-api-token');
  const apiToken = apiTokenInfo.value;
  const appApiToken = appApiTokenInfo.value;
  // Set on every process, empty when off, so a token inherited from the harness's environment never applies unasked.
  const env = { [RUN_ID_ENV]: run.id, DAPR_API_TOKEN: apiToken ?? '', APP_API_TOKEN: appApiToken ?? '' };
  const deaths = new LocalDeathWatch(audit);
  const ports = new PortAllocator();
  const stack = new LifecycleStack();
  const dependencies: DependencyControl[] = [];
  const signal = options.signal;
  const checkAborted = (): void => {
    if (signal?.aborted) throw signal.reason;
  };
  const startTracked = async (proc: ManagedProcess): Promise<void> => {
    stack.push(audited(proc, audit));
    progress.update(`starting ${proc.name}`);
    await audit.around('process.start', proc.name, () => proc.start(signal));
    progress.log(`  ✓ ${proc.name} ready`);
  };

  try {
    const collector = new ZipkinCollector();
    await collector.start();
    stack.push({ name: 'zipkin-collector', stop: () => collector.stop() });
    const endpoints: LocalEndpoints = { nameResolutionDb: join(run.dir, 'nameresolution.db'), zipkinEndpoint: collector.endpoint };
    const infra: Promise<void>[] = [];
    if (needsRedis(allResources)) {
      const port = await ports.next();
      const redis = redisServer({ binary: servers.redis, port, dataDir: join(run.dir, 'data', 'redis'), logDir: run.logs, env });
      endpoints.redisAddress = `127.0.0.1:${port}`;
      dependencies.push(
        controlOf(redis, 'redis', endpoints.redisAddress, signal, { components: componentsServedBy(allResources, needsRedisType) }),
      );
      deaths.watch(redis, 'dependency');
      infra.push(startTracked(redis));
    }
    if (needsNats(allResources)) {
      const port = await ports.next();
      const monitorPort = await ports.next();
      const nats = natsServer({
        binary: servers.nats,
        port,
        monitorPort,
        storeDir: join(run.dir, 'data', 'nats'),
        logDir: run.logs,
        env,
      });
      endpoints.natsUrl = `nats://127.0.0.1:${port}`;
      dependencies.push(
        controlOf(nats, 'nats', `127.0.0.1:${port}`, signal, {
          components: componentsServedBy(allResources, (t) => t === 'pubsub.jetstream'),
          monitorUrl: `http://127.0.0.1:${monitorPort}`,
        }),
      );
      deaths.watch(nats, 'dependency');
      infra.push(startTracked(nats).then(() => ensureStreams(endpoints.natsUrl as string, streams)));
    }
    for (const found of componentServers) {
      const server = await planComponentServer(found, { ports, dataDir: join(run.dir, 'data'), logDir: run.logs, env });
      (endpoints.componentMetadata ??= {})[server.type] = server.metadata;
      stack.push({ name: `${server.kind} data`, stop: async () => server.cleanup() });
      dependencies.push(
        controlOf(server.server, server.kind, server.address, signal, {
          components: componentsServedBy(allResources, (t) => t === server.type),
        }),
      );
      deaths.watch(server.server, 'dependency');
      for (const helper of server.helpers) deaths.watch(helper, 'dependency');
      infra.push(
        (async () => {
          for (const helper of server.helpers) await startTracked(helper);
          await startTracked(server.server);
        })(),
      );
    }
    const sentry = sentryServer({
      binary: bins.sentry,
      port: await ports.next(),
      healthzPort: await ports.next(),
      metricsPort: await ports.next(),
      dir: join(run.dir, 'sentry'),
      logDir: run.logs,
      env,
    });
    deaths.watch(sentry.process, 'dependency');
    infra.push(startTracked(sentry.process));
    await settleAll(infra);
    checkAborted();
    const trustAnchors = readFileSync(sentry.caFile, 'utf8');

    const planned: PlannedApp[] = [];
    for (const app of template.apps) {
      for (let instance = 0; instance < app.replicas; instance++)
        planned.push({
          name: app.replicas > 1 ? `${app.appId}-${instance}` : app.appId,
          instance,
          app,
          appPort: await ports.next(),
          sidecar: { http: await ports.next(), grpc: await ports.next(), internalGrpc: await ports.next(), metrics: await ports.next() },
          resources: resourcesByApp.get(app.appId) ?? [],
        });
    }

    const appGroup = stack.push(new ParallelGroup('apps'));
    await settleAll(
      planned.map(async (p) => {
        const proc = appProcess(p.name, p.instance, p.app, p.appPort, p.sidecar, run.logs, env);
        appGroup.add(audited(proc, audit));
        deaths.watch(proc, 'app', p.app.appId);
        progress.update(`starting ${proc.name}`);
        await audit.around('process.start', proc.name, () => proc.start(signal));
        progress.log(`  ✓ ${proc.name} ready on 127.0.0.1:${p.appPort}`);
      }),
    );
    checkAborted();

    let mtlsEnabled = true;
    const sidecarGroup = stack.push(new ParallelGroup('sidecars'));
    const startSidecar = async (p: PlannedApp): Promise<void> => {
      const appDir = join(run.dir, 'apps', p.name);
      const config = renderConfiguration(p.app.configFile, appDir, endpoints);
      mtlsEnabled &&= config.mtlsEnabled;
      renderResources(p.resources, join(appDir, 'resources'), endpoints);
      const proc = daprdProcess({
        name: p.name,
        binary: bins.daprd,
        appId: p.app.appId,
        appPort: p.appPort,
        appProtocol: p.app.appProtocol,
        ports: p.sidecar,
        resourcesDir: join(appDir, 'resources'),
        configFile: config.file,
        mtls: { enabled: config.mtlsEnabled, sentryAddress: sentry.sentryAddress, trustAnchors },
        logLevel: p.app.logLevel,
        logDir: run.logs,
        env,
        resources: p.resources,
      });
      sidecarGroup.add(audited(proc, audit));
      deaths.watch(proc, 'sidecar', p.app.appId);
      progress.update(`starting ${proc.name}`);
      await audit.around('process.start', proc.name, () => proc.start(signal));
      progress.log(`  ✓ ${proc.name} ready on 127.0.0.1:${p.sidecar.http}`);
    };
    // The first sidecar starts alone, as in a rolling rollout: components that create their tables on init race
    // when several sidecars initialize them at once on a fresh database (state.mysql fails one of them with
    // "Duplicate column name 'row_id'").
    const [firstSidecar, ...otherSidecars] = planned;
    if (firstSidecar) await settleAll([startSidecar(firstSidecar)]);
    checkAborted();
    await settleAll(otherSidecars.map(startSidecar));
    checkAborted();

    const apps: AppEndpoint[] = planned.map((p) => ({
      appId: p.app.appId,
      instance: p.instance,
      appUrl: `http://127.0.0.1:${p.appPort}`,
      sidecar: {
        appId: p.app.appId,
        httpUrl: `http://127.0.0.1:${p.sidecar.http}`,
        grpcAddress: `127.0.0.1:${p.sidecar.grpc}`,
        internalGrpcAddress: `127.0.0.1:${p.sidecar.internalGrpc}`,
        metricsUrl: `http://127.0.0.1:${p.sidecar.metrics}/metrics`,
      },
    }));
    const components = uniqueComponents(allResources);
    const all = (): ManagedProcess[] => [
      ...appGroup.members.map((m) => (m as AuditedProcess).process),
      ...sidecarGroup.members.map((m) => (m as AuditedProcess).process),
      sentry.process,
    ];
    const deployment: LocalDeployment = {
      target: 'local',
      runId: run.id,
      runDir: run.dir,
      apps,
      components,
      dependencies,
      processControls: [
        ...appGroup.members.map((m) => controlOf((m as AuditedProcess).process, 'app', (m as AuditedProcess).process.name, signal)),
        ...sidecarGroup.members.map((m) =>
          controlOf((m as AuditedProcess).process, 'sidecar', (m as AuditedProcess).process.name.replace(/-daprd$/, ''), signal),
        ),
      ],
      instanceReplacements: planned
        .filter((p) => p.instance === 0)
        .flatMap((p) => {
          const byName = (name: string): ManagedProcess | undefined =>
            [...appGroup.members, ...sidecarGroup.members].map((m) => (m as AuditedProcess).process).find((proc) => proc.name === name);
          const [app, sidecar] = [byName(p.name), byName(`${p.name}-daprd`)];
          return app && sidecar ? [processReplacement(p.app.appId, app, sidecar, signal)] : [];
        }),
      mtlsEnabled,
      trustAnchors,
      traces: collector,
      ...(apiToken ? { apiToken } : {}),
      appApiTokenRequired: Boolean(appApiToken),
      ...(appApiToken ? { appApiToken } : {}),
      processDeaths: deaths,
      resources: [
        ...allResources.map((r) => ({ kind: r.kind, name: r.name, body: r.body, source: r.file })),
        ...configurationDocs(template.apps),
      ],
      sidecar: (appId) => findSidecar(apps, appId),
      stop: async () => {
        deaths.close();
        await stack.stopAll((name) => progress.update(`stopping ${name}`));
        progress.done();
      },
      processes: () =>
        [...all(), ...dependencies.map((d) => (d as DependencyWithProcess).process)].map((p) => ({ name: p.name, pid: p.pid })),
      sampledProcesses: () => deployment.processes(),
      keepRunning: () => {
        // Nothing supervises it once this process exits; `down` finds its processes by run id and stops them.
        deaths.close();
        writeCurrentRun(options.runRoot ?? DEFAULT_RUN_ROOT, {
          ...deployment.describe(),
          supervisorPid: process.pid,
          startedAt: new Date().toISOString(),
        });
        return `the deployment stays up (logs in ${run.dir}/logs); stop it with \`npm run down\``;
      },
      describe: () => ({
        runId: run.id,
        runDir: run.dir,
        runFile: template.file,
        daprVersion: bins.version,
        mtlsEnabled,
        apps,
        components,
        dependencies: dependencies.map(({ name, kind, address }) => ({ name, kind, address })),
        processes: deployment.processes(),
        apiToken: describeToken(apiTokenInfo),
        appApiToken: describeToken(appApiTokenInfo),
      }),
    };
    writeFileSync(join(run.dir, 'deployment.json'), JSON.stringify(deployment.describe(), null, 2));
    progress.done();
    return deployment;
  } catch (err) {
    progress.update('start failed; stopping what was started');
    deaths.close();
    await stack.stopAll();
    progress.done();
    throw err;
  }
}

/** The Configurations the apps run with (not in the resources folders when configFilePath points elsewhere). */
function configurationDocs(apps: RunApp[]): { kind: string; name: string; body: Record<string, unknown>; source: string }[] {
  const files = [...new Set(apps.map((a) => a.configFile).filter((f): f is string => Boolean(f)))];
  return files
    .flatMap((f) => loadResourceFile(f))
    .filter((r) => r.kind === 'Configuration')
    .map((r) => ({ kind: r.kind, name: r.name, body: r.body, source: r.file }));
}

interface DependencyWithProcess extends DependencyControl {
  process: ManagedProcess;
}

function controlOf(
  proc: ManagedProcess,
  kind: string,
  address: string,
  signal?: AbortSignal,
  extra: { components?: string[]; monitorUrl?: string } = {},
): DependencyWithProcess {
  return {
    name: proc.name,
    kind,
    address,
    ...(extra.components ? { components: extra.components } : {}),
    ...(extra.monitorUrl ? { monitorUrl: extra.monitorUrl } : {}),
    process: proc,
    get running() {
      return proc.running;
    },
    // The session audits every control's stop and start, for every target (harness/session/audited-controls.ts).
    stop: () => proc.stop(),
    start: () => proc.start(signal),
  };
}

interface AuditedProcess extends Stoppable {
  process: ManagedProcess;
}

/** The stack's view of a process: its stop is recorded in the audit log. */
function audited(proc: ManagedProcess, audit: AuditLog): AuditedProcess {
  return {
    name: proc.name,
    process: proc,
    stop: () => (proc.running ? audit.around('process.stop', proc.name, () => proc.stop()) : proc.stop()),
  };
}

/** Names of the components whose type `serves` accepts: what a dependency's outage takes away. */
function componentsServedBy(resources: DaprResource[], serves: (type: string) => boolean): string[] {
  return [...new Set(resources.filter((r) => serves(componentType(r) ?? '')).map((r) => r.name))];
}

function uniqueResources(resources: DaprResource[]): DaprResource[] {
  const seen = new Map<string, DaprResource>();
  for (const r of resources) seen.set(`${r.file}\u0000${r.kind}\u0000${r.name}`, r);
  return [...seen.values()];
}

function uniqueComponents(resources: DaprResource[]): ComponentInfo[] {
  const seen = new Map<string, ComponentInfo>();
  for (const r of resources) {
    const type = componentType(r);
    if (type) seen.set(r.name, { name: r.name, type });
  }
  return [...seen.values()];
}

/** Waits for every start, then throws the first failure: a failing start must not leave a sibling half-started. */
async function settleAll(starts: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(starts);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
