import type { AppEndpoint, ComponentInfo } from '../deployment';
import type { TokenDescription } from './api-tokens';

/** A process the local target started, as deployment.json and `.run/current.json` list it. */
export interface ProcessRecord {
  name: string;
  pid: number | undefined;
}

/** What the local target writes to deployment.json once ready, and `up` keeps in `.run/current.json`. */
export interface LocalDeploymentDescription {
  runId: string;
  runDir: string;
  runFile: string;
  daprVersion: string;
  mtlsEnabled: boolean;
  apps: AppEndpoint[];
  components: ComponentInfo[];
  dependencies: { name: string; kind: string; address: string }[];
  processes: ProcessRecord[];
  /** Whether sidecars require an API token and where a generated one is kept (never the token). */
  apiToken: TokenDescription;
  appApiToken: TokenDescription;
}
