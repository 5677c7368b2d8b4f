import type { ClusterConnection } from './cluster-connection';
import { apiErrorMessage } from './api-errors';
import type { DaprApp } from './injection-check';

export interface ClusterTokens {
  apiToken?: string;
  appApiToken?: string;
  /** Why a token the apps name could not be read: said to the user, who can pass it in the environment instead. */
  warnings: string[];
}

/**
 * The tokens the apps' sidecars require and present, read from the secrets their pods name (dapr.io/api-token-secret,
 * dapr.io/app-token-secret; key `token`, as daprd reads them), so a run needs no token in its environment when
 * the harness may read those secrets. The harness uses one token per kind: apps naming different secrets make a
 * warning, and the first app's is used.
 */
export async function readClusterTokens(conn: ClusterConnection, namespace: string, apps: DaprApp[]): Promise<ClusterTokens> {
  const warnings: string[] = [];
  const read = async (kind: 'apiTokenSecret' | 'appTokenSecret', envName: string): Promise<string | undefined> => {
    const names = [...new Set(apps.map((a) => a[kind]).filter((n): n is string => Boolean(n)))];
    const name = names[0];
    if (!name) return undefined;
    if (names.length > 1)
      warnings.push(`the apps name different token secrets (${names.join(', ')}); the harness sends ${name}'s, set ${envName} to choose`);
    try {
      const secret = await conn.core.readNamespacedSecret({ name, namespace });
      const value = secret.data?.token;
      if (!value) {
        warnings.push(`secret ${namespace}/${name} has no key "token"; set ${envName}`);
        return undefined;
      }
      return Buffer.from(value, 'base64').toString('utf8');
    } catch (err) {
      warnings.push(`cannot read secret ${namespace}/${name} (${apiErrorMessage(err)}); set ${envName} to its token`);
      return undefined;
    }
  };
  const apiToken = await read('apiTokenSecret', 'DAPR_API_TOKEN');
  const appApiToken = await read('appTokenSecret', 'APP_API_TOKEN');
  return { warnings, ...(apiToken ? { apiToken } : {}), ...(appApiToken ? { appApiToken } : {}) };
}
