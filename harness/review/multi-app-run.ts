import type { Resource } from './resources';
import type { YamlNode } from './yaml-node';

/** One app of a Multi-App Run file, its own settings over `common:` as the Dapr CLI merges them. */
export interface RunFileApp {
  appId: string;
  node: YamlNode;
  /** The app's setting, else the common one. */
  setting(key: string): YamlNode | undefined;
  /** Environment variables: the app's over the common ones, each with the node it was written at. */
  env(): Map<string, YamlNode>;
}

export function runFileApps(r: Resource): RunFileApp[] {
  const common = r.root.get('common');
  return (r.root.get('apps')?.items() ?? []).map((node): RunFileApp => ({
    appId: node.get('appID')?.str() ?? '(no appID)',
    node,
    setting: (key) => node.get(key) ?? common?.get(key),
    env: () => new Map([...(common?.get('env')?.entries() ?? []), ...(node.get('env')?.entries() ?? [])]),
  }));
}
