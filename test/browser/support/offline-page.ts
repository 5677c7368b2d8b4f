import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';

/** What a page tried to do beyond its own file, recorded from the moment it starts loading. */
export interface PageWatch {
  /** Every request for something other than the file itself (and data:/blob:/about: URLs, which are not network). */
  attempted: string[];
  consoleErrors: string[];
  pageErrors: string[];
}

const LOCAL = /^(file|data|blob|about):/;

/**
 * Opens a local HTML file in a new tab with every non-file request aborted, and waits until the page has been
 * quiet for a moment so late loads (CSS backgrounds, lazy images) are recorded too.
 */
export async function openOffline(context: BrowserContext, file: string): Promise<{ page: Page; watch: PageWatch }> {
  const page = await context.newPage();
  const watch: PageWatch = { attempted: [], consoleErrors: [], pageErrors: [] };
  await page.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort('blockedbyclient')));
  page.on('request', (req) => {
    if (!LOCAL.test(req.url())) watch.attempted.push(req.url());
  });
  page.on('websocket', (ws) => watch.attempted.push(ws.url()));
  page.on('console', (msg) => {
    if (msg.type() === 'error') watch.consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => watch.pageErrors.push(err.message));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 30_000 });
  await page.waitForLoadState('networkidle', { timeout: 30_000 });
  return { page, watch };
}

/** The page reached for nothing outside its file and logged no error. */
export function expectOffline(watch: PageWatch): void {
  expect(watch.attempted, 'network requests the page attempted').to.deep.equal([]);
  expect(watch.consoleErrors, 'console errors').to.deep.equal([]);
  expect(watch.pageErrors, 'uncaught page errors').to.deep.equal([]);
}
