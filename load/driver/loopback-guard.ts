import { isIP } from 'node:net';
import { usageError } from '../../harness/errors/harness-error';

/**
 * The harness only ever loads its own machine: a typo in a URL must not turn a load test on someone else's
 * server. A Kubernetes port-forward listens on loopback, so clusters are reached this way too. Names other than
 * `localhost` are refused rather than resolved, since a resolver can point any name anywhere.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (host === 'localhost' || host === 'localhost.') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) {
    if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
    // An IPv4-mapped IPv6 address (::ffff:127.0.0.1, normalised by URL to ::ffff:7f00:1) is loopback when its IPv4 part is.
    const mapped = /^::ffff:(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):[0-9a-f]{1,4})$/.exec(host);
    if (mapped?.[1]) return mapped[1].startsWith('127.');
    if (mapped?.[2]) return parseInt(mapped[2], 16) >> 8 === 127;
  }
  return false;
}

/** Parses the target and refuses anything that is not plain http(s) on loopback, unless explicitly allowed. */
export function checkedTarget(url: string, allowNonLoopback: boolean): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usageError(
      'LOAD_INVALID_URL',
      `load target ${JSON.stringify(url)} is not a URL`,
      'give a base URL such as http://127.0.0.1:3500',
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw usageError(
      'LOAD_INVALID_URL',
      `load target ${url} uses ${parsed.protocol} — only http and https are driven`,
      'give an http:// or https:// base URL',
    );
  }
  if (!allowNonLoopback && !isLoopbackHost(parsed.hostname)) {
    throw usageError(
      'LOAD_NON_LOOPBACK_TARGET',
      `load target ${parsed.host} is not a loopback address (127.0.0.0/8, ::1, localhost)`,
      'point the driver at 127.0.0.1 (e.g. through kubectl port-forward), or set allowNonLoopback: true if loading that host is intended',
    );
  }
  return parsed;
}
