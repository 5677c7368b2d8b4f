import { execFileSync } from 'node:child_process';
import { requireCommand } from '../process/required-commands';
import type { ImageEntry } from './image-spec';
import { sharedLibraryEntries } from './shared-libraries';

/**
 * A shell and the usual tools for images whose command is a shell script (the reference apps' CMD, the JetStream
 * stream Job): Debian's busybox (busybox-static needs no libraries) with a symlink per applet in /bin.
 */
export function busyboxEntries(): ImageEntry[] {
  const busybox = requireCommand('busybox', '`apt-get install busybox-static` (or `npm run setup` as root)');
  const applets = execFileSync(busybox, ['--list'], { encoding: 'utf8' })
    .split('\n')
    .map((a) => a.trim())
    .filter((a) => /^[\w.[-]+$/.test(a) && a !== 'busybox');
  return [
    { target: '/bin/busybox', source: busybox, mode: 0o755 },
    ...applets.sort().map((applet) => ({ target: `/bin/${applet}`, symlink: 'busybox' })),
    ...sharedLibraryEntries([busybox]),
  ];
}
