import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's Chromium; playwright-core only drives it and never downloads a browser of its own. */
export const CHROMIUM = '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // A second fence behind request routing: no host name resolves, so nothing the page asks for can leave the machine.
  '--host-resolver-rules=MAP * ~NOTFOUND',
];

export interface HeadlessChromium {
  context: BrowserContext;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/**
 * Headless Chromium with a fresh profile that is removed on close. A missing browser is an error, not a skip:
 * CI installs it, and a browser test that silently does not run proves nothing.
 */
export async function launchHeadlessChromium(opts: { executablePath?: string; timeoutMs?: number } = {}): Promise<HeadlessChromium> {
  const executablePath = opts.executablePath ?? CHROMIUM;
  if (!existsSync(executablePath))
    throw new Error(
      `no browser at ${executablePath} · run apt-get install chromium (Debian's package; the report's browser test needs it)`,
    );
  const userDataDir = mkdtempSync(join(tmpdir(), 'dapr-harness-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: ARGS,
      timeout: opts.timeoutMs ?? 60_000,
      viewport: { width: 1280, height: 900 },
      serviceWorkers: 'block',
    });
    return {
      context,
      close: async () => {
        try {
          await context.close();
        } finally {
          rmSync(userDataDir, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw err;
  }
}
