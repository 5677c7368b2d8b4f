/**
 * Human progress on stderr. On a terminal one status line is rewritten in place with the elapsed time;
 * elsewhere (CI, pipes) a line is printed at most every `quietIntervalMs`, so logs stay readable.
 */
export interface Progress {
  update(message: string): void;
  log(message: string): void;
  done(message?: string): void;
}

import { redact } from '../secrets/redaction';

export function createProgress(stream: NodeJS.WriteStream = process.stderr, quietIntervalMs = 10_000): Progress {
  const tty = Boolean(stream.isTTY) && !process.env.CI;
  const started = Date.now();
  let lastPrinted = 0;
  let current = '';
  const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(0)}s`;
  const clear = (): void => {
    if (tty && current) stream.write('\r\x1b[2K');
  };
  return {
    update(raw: string): void {
      const message = redact(raw);
      current = message;
      if (tty) {
        const width = (stream.columns || 100) - 8;
        stream.write(`\r\x1b[2K[${elapsed()}] ${message.slice(0, width)}`);
      } else if (Date.now() - lastPrinted >= quietIntervalMs) {
        lastPrinted = Date.now();
        stream.write(`[${elapsed()}] ${message}\n`);
      }
    },
    log(message: string): void {
      clear();
      stream.write(`${redact(message)}\n`);
      if (tty && current) this.update(current);
    },
    done(message?: string): void {
      clear();
      current = '';
      if (message) stream.write(`${redact(message)}\n`);
    },
  };
}

export const silentProgress: Progress = { update: () => {}, log: () => {}, done: () => {} };
