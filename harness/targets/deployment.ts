import type { AutoscaleWatcher } from './kubernetes/autoscale-watcher';
import type { ZipkinSpan } from '../observability/zipkin-collector';

/**
 * What suites and load scenarios see of a deployment, whatever the target. They never reach past it into a
 * target's internals, so the same suite runs on local, external and kubernetes targets.
 */
export type TargetKind = 'local' | 'external' | 'kubernetes';

export interface SidecarEndpoint {
  appId: string;
  /** Base URL of the Dapr HTTP API, e.g. http://127.0.0.1:3500 */
  httpUrl: string;
  /** host:port of the Dapr gRPC API. */
  grpcAddress: string;
  /** host:port of the sidecar-to-sidecar gRPC port (mTLS when on), where the target knows it. */
  internalGrpcAddress?: string;
  /** Prometheus metrics URL, where the target knows it. */
  metricsUrl?: string;
}

export interface AppEndpoint {
  appId: string;
  /** 0-based instance number where an app id runs more than once. */
  instance: number;
  sidecar: SidecarEndpoint;
  /** Direct URL of the app itself (baseline measurements, fault controls), where reachable. */
  appUrl?: string;
}

export interface ResourceDocument {
  kind: string;
  name: string;
  /** The document as parsed (apiVersion, kind, metadata, spec). */
  body: Record<string, unknown>;
  /** Where it came from (a file, or a cluster resource's namespace/name). */
  source: string;
}

/** Spans the deployment's sidecars exported during the run, where the harness collects them. */
export interface TraceSource {
  /** The spans of one trace collected so far (read from a collector in the cluster on a kubernetes target). */
  trace(traceId: string): ZipkinSpan[] | Promise<ZipkinSpan[]>;
}

export interface ComponentInfo {
  name: string;
  type: string;
}

/** A dependency the harness may stop and start again (chaos probes). */
export interface DependencyControl {
  name: string;
  kind: string;
  /** host:port it serves on. */
  address: string;
  /** Names of the components that use it (e.g. pubsub, statestore), where the target knows them. */
  components?: string[];
  /** Its HTTP monitoring endpoint, where it runs one the harness can reach (NATS: /jsz tells what a consumer has pending). */
  monitorUrl?: string;
  /** False while stopped; undefined where the target cannot tell. */
  readonly running?: boolean;
  /**
   * Asks the target whether it runs now, where `running` is only what the harness last saw (Kubernetes: the
   * container's state and restart count, since the kubelet restarts an exited container by itself).
   */
  isRunning?(): Promise<boolean>;
  /** True where the platform restarts it by itself after it exits; `start()` then waits for that restart. */
  readonly restartsByItself?: boolean;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** What ending an instance left behind. */
export interface EndedInstance {
  /** What was ended (a pod's name, or the processes'), for the report. */
  instance: string;
  /** From the request until it was gone. */
  goneMs: number;
  /** The app's log from just before the end until it exited: what it wrote on the way out. */
  appLog: string;
}

/**
 * One instance of an app (app and daprd together) that the harness may end the way its platform ends one — a pod
 * deleted, or both processes sent SIGTERM — and see replaced, while traffic flows (chaos probes).
 */
export interface InstanceReplacement {
  appId: string;
  /** What ending and replacing mean on this target, for the report. */
  how: string;
  /** Ends the instance the harness reaches as instance 0 and resolves once it is gone. */
  end(): Promise<EndedInstance>;
  /** Waits for (or starts) the instance that replaces it; the harness's addresses of instance 0 then lead to it. */
  replace(): Promise<{ instance: string; readyMs: number }>;
}

/** A process of the deployment that exited on its own (or was killed by something other than the harness). */
export interface ProcessDeath {
  /** Process name: an app id, `<app id>-<n>` for a replica, `<name>-daprd` for a sidecar, or a dependency's name. */
  name: string;
  kind: 'app' | 'sidecar' | 'dependency';
  /** The app id it belongs to, for apps and sidecars. */
  appId?: string;
  /** ISO time the exit was seen. */
  at: string;
  code: number | null;
  signal: string | null;
  /** Where its output went, to read why. */
  logFile?: string;
}

export interface ProcessDeathWatch {
  /** Every death so far, oldest first. */
  deaths(): ProcessDeath[];
  /** Calls `listener` on each death from now on; returns the unsubscribe. */
  onDeath(listener: (death: ProcessDeath) => void): () => void;
}

/** One line naming what died, when and how, e.g. "app audit-service exited (signal SIGKILL) at 12:00:01Z". */
export function describeDeath(d: ProcessDeath): string {
  const how = d.signal ? `signal ${d.signal}` : `exit code ${d.code ?? '?'}`;
  const what = d.kind === 'dependency' ? d.name : `${d.kind} ${d.name}${d.appId && d.kind === 'sidecar' ? ` (sidecar of ${d.appId})` : ''}`;
  return `${what} died during the run (${how}) at ${d.at}${d.logFile ? `; its log: ${d.logFile}` : ''}`;
}

export interface SampledProcess {
  name: string;
  pid: number | undefined;
}

/**
 * What one container used over the window that ends at `at`, as the source averaged it (metrics-server: the rate
 * between its last two scrapes of the node).
 */
export interface UsageReading {
  /** Process name as the cost table shows it: an app id, `<app id>-daprd` for its sidecar, `redis`, `nats`. */
  process: string;
  /** The pod it ran in: a process of an app with replicas has a reading per pod. */
  pod: string;
  /** Epoch ms the window ends. */
  at: number;
  windowMs: number;
  cores: number;
  memoryMb: number;
}

/** Usage the harness can read of the deployment's containers, where they do not run on this machine (kubernetes). */
export interface ResourceUsageSource {
  /** Where the figures come from, e.g. `metrics-server (metrics.k8s.io/v1beta1 PodMetrics)`. */
  source: string;
  /** Every app, sidecar and broker container's latest reading, and the cores of the nodes they run on. */
  read(): Promise<{ readings: UsageReading[]; nodeCores?: number }>;
}

export interface AutoscalingControl {
  namespace: string;
  /** Starts recording an HPA's replica timeline (Ready and Pending pods); stop() the watcher to get it. */
  watch(hpa: string, deployment?: string): Promise<AutoscaleWatcher>;
}

export interface Deployment {
  target: TargetKind;
  runId: string;
  runDir: string;
  apps: AppEndpoint[];
  components: ComponentInfo[];
  dependencies: DependencyControl[];
  /**
   * Apps and sidecars the harness may stop and start again (kind `app` or `sidecar`, name = app id, or
   * `<app id>-<n>` for a replica), where the target manages them.
   */
  processControls?: DependencyControl[];
  /** Instances the harness may end and see replaced mid-traffic, one per app, where the target can. */
  instanceReplacements?: InstanceReplacement[];
  /** Whether the deployment's Configuration turns mTLS on; undefined where the target cannot read it. */
  mtlsEnabled?: boolean;
  /** The Dapr resources in force (Components, Configuration, Resiliency, Subscriptions), where the target can read them. */
  resources?: ResourceDocument[];
  traces?: TraceSource;
  /**
   * True where the harness runs inside the cluster and reaches the sidecars at their Services' addresses: pods of
   * the deployment under test, so load may go there (elsewhere the load driver sends only to loopback).
   */
  inClusterSidecars?: boolean;
  /** The token sidecars require in `dapr-api-token`, when they require one. A secret: never written anywhere. */
  apiToken?: string;
  /** Whether daprd presents an app API token (APP_API_TOKEN) that the apps require. */
  appApiTokenRequired?: boolean;
  /**
   * The token daprd presents to its app (APP_API_TOKEN), where the target knows it: the harness sends it on its own
   * direct calls to apps (per-instance checks, load baselines). A secret: never written anywhere.
   */
  appApiToken?: string;
  /**
   * Processes of the deployment that exited without the harness stopping them, where the target supervises its
   * processes (local). Deliberate stops through `processControls`/`dependencies` are not deaths.
   */
  processDeaths?: ProcessDeathWatch;
  /** Processes whose CPU and memory the harness can sample from /proc, where they run on this machine (local). */
  sampledProcesses?(): SampledProcess[];
  /** Per-container CPU and memory from the cluster's metrics pipeline, where the deployment runs on Kubernetes. */
  resourceUsage?: ResourceUsageSource;
  /** HorizontalPodAutoscalers the harness can watch scale, where the deployment runs on Kubernetes. */
  autoscaling?: AutoscalingControl;
  /**
   * Leaves the deployment running once the harness exits (`--keep-up`), where the target started it and can hand
   * it over (local: `npm run down` stops it later). Without it the session stops the deployment.
   */
  keepRunning?(): string;
  /** PEM of the trust bundle sidecars' workload certificates chain to (Sentry's root), where the target knows it. */
  trustAnchors?: string;
  /** Sidecar of an app id; throws when the deployment has no such app. */
  sidecar(appId: string): SidecarEndpoint;
  stop(): Promise<void>;
}

export function findSidecar(apps: AppEndpoint[], appId: string): SidecarEndpoint {
  const app = apps.find((a) => a.appId === appId);
  if (!app) throw new Error(`no app with id ${appId} in this deployment (apps: ${apps.map((a) => a.appId).join(', ')})`);
  return app.sidecar;
}
