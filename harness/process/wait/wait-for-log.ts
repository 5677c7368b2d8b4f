import { open } from 'node:fs/promises';
import { pollUntil, type WaitContext, type WaitStrategy } from './wait-strategy';

/**
 * Ready when the process's log file contains a line matching `pattern`.
 * The log is read incrementally, so a long log is not re-read on every poll.
 */
export function forLogMessage(pattern: RegExp): WaitStrategy {
  return {
    describe: () => `log line matching ${pattern}`,
    async waitUntilReady(ctx: WaitContext): Promise<void> {
      let offset = 0;
      let pending = '';
      await pollUntil(async () => {
        let file;
        try {
          file = await open(ctx.logFile, 'r');
        } catch {
          return false;
        }
        try {
          const buf = Buffer.alloc(64 * 1024);
          for (;;) {
            const { bytesRead } = await file.read(buf, 0, buf.length, offset);
            if (bytesRead === 0) break;
            offset += bytesRead;
            pending += buf.subarray(0, bytesRead).toString('utf8');
            const lines = pending.split('\n');
            pending = lines.pop() ?? '';
            if (lines.some((line) => pattern.test(line))) return true;
          }
          return pattern.test(pending);
        } finally {
          await file.close();
        }
      }, ctx.signal);
    },
  };
}
