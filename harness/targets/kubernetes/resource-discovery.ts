import { KubernetesObjectApi, type V1APIResource } from '@kubernetes/client-node';

/** client-node's object API, with its discovery (which resource serves apiVersion+kind, cached) made callable. */
export class ResourceDiscovery extends KubernetesObjectApi {
  find(apiVersion: string, kind: string): Promise<V1APIResource | undefined> {
    return this.resource(apiVersion, kind);
  }
}
