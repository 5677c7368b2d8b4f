import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { usageError } from '../../errors/harness-error';
import { CLUSTER_DEBIAN_PACKAGES, commandPath, DEBIAN_PACKAGES } from '../../process/required-commands';
import { createProgress } from '../../console/progress';
import { runtimeCommand } from './runtime';
import { imagesCommand } from './images';
import { missingServerPackages } from '../../targets/local/components/component-servers';

/**
 * Installs the Debian packages the local target and a cluster's images need, and those the one-machine cluster's
 * node runs (containerd, runc, CNI plugins, iptables), as root with apt-get, then builds the runtime, the cluster's
 * images and helm.
 */
export async function setupCommand(opts: { skipRuntime?: boolean }): Promise<number> {
  const progress = createProgress();
  const installed = (what: string): boolean => (what.startsWith('/') ? existsSync(what) : Boolean(commandPath(what)));
  const missing = [
    ...Object.entries({ ...DEBIAN_PACKAGES, ...CLUSTER_DEBIAN_PACKAGES })
      .filter(([what]) => !installed(what))
      .flatMap(([, pkgs]) => pkgs.split(' ')),
    // The servers of the other component sets (--pubsub, --state, npm run matrix).
    ...missingServerPackages(),
  ];
  if (missing.length > 0) {
    if (process.getuid?.() !== 0) {
      throw usageError(
        'SETUP_NEEDS_ROOT',
        `missing ${missing.join(', ')} and not running as root`,
        `run \`sudo apt-get install -y ${missing.join(' ')}\``,
      );
    }
    progress.log(`installing ${missing.join(', ')} with apt-get`);
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } else {
    progress.log(
      `${Object.values({ ...DEBIAN_PACKAGES, ...CLUSTER_DEBIAN_PACKAGES }).join(', ')}, rabbitmq-server, mosquitto, postgresql and mariadb-server are installed`,
    );
  }
  if (!commandPath('go'))
    throw usageError('MISSING_COMMAND', '`go` is not installed or not on PATH', 'install Go 1.26 or newer, then run `npm run setup` again');
  if (opts.skipRuntime) return 0;
  const runtime = await runtimeCommand({});
  return runtime !== 0 ? runtime : imagesCommand();
}
