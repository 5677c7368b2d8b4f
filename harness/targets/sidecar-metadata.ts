/**
 * A sidecar's metadata API (`GET /v1.0/metadata`), the one place the harness asks daprd what it runs: its app id,
 * runtime version, loaded components and subscriptions. The API token goes only to the sidecar.
 */
export interface SidecarMetadata {
  id?: string;
  runtimeVersion?: string;
  /** `capabilities`: the features the component declares (ETAG, TRANSACTIONAL, TTL, QUERY_API, BULK_PUBLISH, …). */
  components?: { name: string; type: string; version?: string; capabilities?: string[] }[];
  subscriptions?: { pubsubname: string; topic: string }[];
}

/** Thrown when the sidecar answers with a status other than 200 (401: it wants an API token). */
export class SidecarMetadataError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
  ) {
    super(`${url} answered ${status}`);
    this.name = 'SidecarMetadataError';
  }
}

export async function sidecarMetadata(sidecarHttpUrl: string, apiToken?: string, timeoutMs = 5000): Promise<SidecarMetadata> {
  const url = `${sidecarHttpUrl.replace(/\/$/, '')}/v1.0/metadata`;
  const res = await fetch(url, { headers: apiToken ? { 'dapr-api-token': apiToken } : {}, signal: AbortSignal.timeout(timeoutMs) });
  if (res.status !== 200) throw new SidecarMetadataError(url, res.status);
  return (await res.json()) as SidecarMetadata;
}
