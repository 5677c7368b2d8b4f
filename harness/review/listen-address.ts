/**
 * Whether a list of listen addresses (Dapr's comma-separated form, e.g. `[::1],127.0.0.1`) keeps a server on
 * loopback. An empty list is daprd's default in self-hosted mode: every interface.
 */
export function loopbackOnly(addresses: string | undefined): boolean {
  const list = (addresses ?? '')
    .split(',')
    .map((a) => a.trim().replace(/^\[|\]$/g, ''))
    .filter(Boolean);
  return list.length > 0 && list.every((a) => a === 'localhost' || a === '::1' || /^127\.\d+\.\d+\.\d+$/.test(a));
}

/** Values that make a server listen on every interface. */
export function isWildcardAddress(value: string | undefined): boolean {
  const v = (value ?? '').trim().replace(/^\[|\]$/g, '');
  return v === '0.0.0.0' || v === '::' || v === '*';
}
