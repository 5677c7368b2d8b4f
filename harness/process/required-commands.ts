import { execFileSync } from 'node:child_process';
import { usageError } from '../errors/harness-error';

export function commandPath(name: string): string | undefined {
  try {
    const out = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    return out || undefined;
  } catch {
    return undefined;
  }
}

/** The path of `name`, or a usage error saying how to install it. */
export function requireCommand(name: string, howToInstall: string): string {
  const path = commandPath(name);
  if (!path) throw usageError('MISSING_COMMAND', `\`${name}\` is not installed or not on PATH`, howToInstall);
  return path;
}

/** Command → Debian package: the local target's servers, and what the cluster's images need, and wrk for `npm run bench`. */
export const DEBIAN_PACKAGES: Record<string, string> = {
  'redis-server': 'redis-server',
  'nats-server': 'nats-server',
  busybox: 'busybox-static',
  gcc: 'gcc libc6-dev',
  // `npm run bench` compares the load driver with wrk.
  wrk: 'wrk',
  // The report's browser test drives Debian's Chromium (no browser download).
  chromium: 'chromium',
};

/**
 * What the one-machine cluster's node runs from Debian (`npm run cluster`): the container runtime, runc, the CNI
 * plugins (found by a plugin's path: they are not on PATH) and iptables for kube-proxy. Command or path → package.
 */
export const CLUSTER_DEBIAN_PACKAGES: Record<string, string> = {
  containerd: 'containerd',
  runc: 'runc',
  '/usr/lib/cni/bridge': 'containernetworking-plugins',
  iptables: 'iptables',
};

export function requireServerBinaries(): { redis: string; nats: string } {
  return {
    redis: requireCommand('redis-server', '`npm run setup` (as root) or `apt-get install redis-server`'),
    nats: requireCommand('nats-server', '`npm run setup` (as root) or `apt-get install nats-server`'),
  };
}
