import { execFileSync } from 'node:child_process';
import { usageError } from '../../errors/harness-error';
import { commandPath, DEBIAN_PACKAGES } from '../../process/required-commands';
import { createProgress } from '../../console/progress';
import { runtimeCommand } from './runtime';
import { missingServerPackages } from '../../targets/local/components/component-servers';

/** Installs the Debian servers the local target runs (as root, with apt-get), then builds the runtime. */
export async function setupCommand(opts: { skipRuntime?: boolean }): Promise<number> {
  const progress = createProgress();
  const missing = [
    ...Object.entries(DEBIAN_PACKAGES)
      .filter(([cmd]) => !commandPath(cmd))
      .map(([, pkg]) => pkg),
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
    progress.log('redis-server, nats-server, rabbitmq-server, mosquitto, postgresql and mariadb-server are installed');
  }
  if (!commandPath('go'))
    throw usageError('MISSING_COMMAND', '`go` is not installed or not on PATH', 'install Go 1.26 or newer, then run `npm run setup` again');
  return opts.skipRuntime ? 0 : runtimeCommand({});
}
