import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import type { ManagedProcess } from '../../process/managed-process';
import type { InstanceReplacement } from '../deployment';

/** Most of an app's log kept from the end of an instance: its last words, not a load run's worth of lines. */
const MAX_LOG_BYTES = 8 * 1024 * 1024;

/**
 * An instance of a local app: its app and daprd processes are sent SIGTERM together, as the kubelet does to the
 * containers of a deleted pod, and started again on the same ports (app first, as daprd waits for it).
 */
export function processReplacement(appId: string, app: ManagedProcess, sidecar: ManagedProcess, signal?: AbortSignal): InstanceReplacement {
  const instance = `${app.name} and ${sidecar.name}`;
  return {
    appId,
    how: 'app and daprd processes sent SIGTERM together, then started again on the same ports',
    async end() {
      const offset = existsSync(app.logFile) ? statSync(app.logFile).size : 0;
      const started = Date.now();
      await Promise.all([app.stop(), sidecar.stop()]);
      return { instance, goneMs: Date.now() - started, appLog: readFrom(app.logFile, offset) };
    },
    async replace() {
      const started = Date.now();
      await app.start(signal);
      await sidecar.start(signal);
      return { instance, readyMs: Date.now() - started };
    },
  };
}

function readFrom(file: string, offset: number): string {
  if (!existsSync(file)) return '';
  const size = statSync(file).size;
  const start = Math.max(offset, size - MAX_LOG_BYTES);
  if (size <= start) return '';
  const buf = Buffer.alloc(size - start);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buf, 0, buf.length, start);
  } finally {
    closeSync(fd);
  }
  return buf.toString('utf8');
}
