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

/** Debian packages `npm run setup` installs: the servers the local target runs, and wrk, which `npm run bench` compares the driver with. */
export const DEBIAN_PACKAGES: Record<string, string> = { 'redis-server': 'redis-server', 'nats-server': 'nats-server', wrk: 'wrk' };

export function requireServerBinaries(): { redis: string; nats: string } {
  return {
    redis: requireCommand('redis-server', '`npm run setup` (as root) or `apt-get install redis-server`'),
    nats: requireCommand('nats-server', '`npm run setup` (as root) or `apt-get install nats-server`'),
  };
}
