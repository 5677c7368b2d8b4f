import { expect } from 'chai';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { renderReport } from '../../harness/report/render-report';
import { readResults } from '../../harness/results/results-store';
import { evaluateCriteria } from '../../harness/gate/criteria-evaluation';
import { loadCriteria } from '../../harness/gate/criteria-file';
import { compileReportTemplate, TEMPLATES_DIR } from '../../harness/report/report-templates';
import { reportView } from '../../harness/report/report-view';
import type { TestResult } from '../../harness/results/results-model';
import { emptyResults } from '../../harness/results/results-store';
import { MALICIOUS_TITLE, richResults, writeRun } from '../support/results-fixtures';
import { launchHeadlessChromium, type HeadlessChromium } from './support/headless-chromium';
import { expectOffline, openOffline, type PageWatch } from './support/offline-page';

/** Resolves nowhere (RFC 6761) and is blocked before it is asked for; only ever used as bait. */
const BAIT_HOST = 'report-asset.invalid';
const SCENARIOS = ['pubsub-throughput', 'invoke-steady', 'autoscale'];

const CRITERIA = `criteria:
  pubsub.delivery_rate: ['rate>=0.999']
  pubsub.e2e_latency: ['p(99)<1000']
  state.success_rate: ['rate>=0.995']
  tests.acceptance: ['failed==0']
  tests.chaos: ['failed==0']
`;

/** A passing test in the story that has a failure, so the story starts open and the filter has a row to hide. */
const PASSING_US2: TestResult = {
  id: 'US2 list',
  title: 'lists keys after a bulk save',
  suitePath: ['state', 'US2'],
  tags: ['US2'],
  status: 'passed',
  durationMs: 40,
  measurements: {},
};

async function cells(row: Locator): Promise<string[]> {
  return (await row.locator('td').allInnerTexts()).map((t) => t.trim());
}

async function cssOf(locator: Locator, property: string): Promise<string> {
  // Runs in the page; the project compiles without DOM types, so the one browser call is typed here.
  return locator.evaluate(
    (el, prop) =>
      (globalThis as unknown as { getComputedStyle(e: unknown): { getPropertyValue(p: string): string } })
        .getComputedStyle(el)
        .getPropertyValue(prop),
    property,
  );
}

function pngSize(file: string): { width: number; height: number } {
  const png = readFileSync(file);
  expect(png.subarray(1, 4).toString('latin1'), 'PNG signature').to.equal('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('HTML report in headless Chromium', function () {
  this.timeout(120_000);
  let root = '';
  let browser: HeadlessChromium | undefined;
  let page: Page;
  let watch: PageWatch;
  let keep = false;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'dapr-harness-browser-'));
    const runs = join(root, 'runs');
    const base = richResults({}, { deliveryRate: 0.998 });
    writeRun(
      runs,
      richResults(
        {
          runId: '20261126-060000-0001',
          startedAt: '2026-11-26T06:00:00.000Z',
          tests: base.tests.map((t) => ({ ...t, status: t.status === 'failed' ? 'passed' : t.status, failure: undefined })),
        },
        { e2eP99: 300 },
      ),
    );
    const current = writeRun(runs, { ...base, tests: [...base.tests, PASSING_US2] });
    writeFileSync(join(root, 'criteria.yaml'), CRITERIA);
    const { file } = renderReport(current, {
      verdict: evaluateCriteria(loadCriteria(join(root, 'criteria.yaml')), readResults(current)),
      previous: 'newest-earlier',
    });
    browser = await launchHeadlessChromium();
    ({ page, watch } = await openOffline(browser.context, file));
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') keep = true;
  });

  after(async () => {
    await browser?.close();
    // A failed run keeps the pages and screenshot for a person to look at.
    if (keep) console.error(`browser test files kept in ${root}`);
    else if (root) rmSync(root, { recursive: true, force: true });
  });

  it('loads with no network request, no console error and no page error', async () => {
    expectOffline(watch);
    expect(await page.title()).to.equal('dapr-harness · all run 20261127-064501-aaaa');
  });

  it('links every navigation entry to a section on the page', async () => {
    const targets = await page
      .locator('nav a')
      .evaluateAll((links) => links.map((a) => (a as { getAttribute(n: string): string | null }).getAttribute('href') ?? ''));
    expect(targets).to.include('#autoscale');
    for (const href of targets) {
      expect(href, 'an in-page link').to.match(/^#[a-z]+$/);
      expect(await page.locator(`section${href}`).isVisible(), `${href} on the page`).to.equal(true);
    }
  });

  it('shows the verdict per criterion, failed and passed', async () => {
    expect(await page.locator('#verdict .verdict-big').innerText()).to.equal('FAIL — 3 of 9 checks failed');
    const failed = page.locator('#verdict tbody tr.fail', { hasText: 'pubsub.delivery_rate' }).filter({ hasText: 'subscriber=orders' });
    expect(await failed.isVisible()).to.equal(true);
    expect((await cells(failed)).slice(0, 5)).to.deep.equal(['pubsub.delivery_rate', 'subscriber=orders', 'rate>=0.999', '0.998', 'FAIL']);
    const passed = page.locator('#verdict tbody tr.pass', { hasText: 'pubsub.e2e_latency' }).filter({ hasText: 'subscriber=orders' });
    expect((await cells(passed)).slice(0, 5)).to.deep.equal(['pubsub.e2e_latency', 'subscriber=orders', 'p(99)<1000', '420 ms', 'pass']);
    expect(await cssOf(failed.locator('td').nth(4), 'color'), 'a failed verdict is not drawn like a passed one').to.not.equal(
      await cssOf(passed.locator('td').nth(4), 'color'),
    );
  });

  it('groups acceptance by story with the failed story expanded to its message', async () => {
    expect(await page.locator('#acceptance details.story > summary').allInnerTexts()).to.deep.equal([
      'US1 — pass · 2 passed',
      'US2 — FAIL · 1 passed · 1 failed',
      'US3 — pass · 1 passed',
      'metadata — not run · 0 passed · 1 skipped',
    ]);
    expect(await page.locator('#story-us2').getAttribute('open')).to.not.equal(null);
    const message = page.locator('#story-us2 pre.fail');
    expect(await message.isVisible()).to.equal(true);
    expect(await message.innerText()).to.equal('expected etag 2 but got 1');
    const stack = page.locator('#story-us2 .failure details');
    expect(await stack.locator('pre').isVisible(), 'the stack waits for a click').to.equal(false);
    expect(await cssOf(stack.locator('summary'), 'font-weight'), 'the stack toggle is not styled as a story heading').to.not.equal(
      await cssOf(page.locator('#story-us2 > summary'), 'font-weight'),
    );
    await stack.locator('summary').click();
    expect(await stack.locator('pre').innerText()).to.contain('at state.test.ts:40');
    expect(await page.locator('#story-us1 tbody tr').first().isVisible(), 'a story without failures starts closed').to.equal(false);
    // the fixture's script-tag title arrives as text, not as a script
    expect(await page.locator('#story-us1 td', { hasText: MALICIOUS_TITLE }).count()).to.equal(1);
    expect(await page.locator('script').count(), 'only the page’s own script').to.equal(1);
  });

  it('hides passing tests behind "only failures" and shows them again', async () => {
    const box = page.locator('#only-failed-tests');
    const passing = page.locator('#story-us2 tbody tr.passed', { hasText: PASSING_US2.title });
    const failing = page.locator('#story-us2 tbody tr.failed');
    expect(await passing.isVisible()).to.equal(true);
    await box.check();
    expect(await passing.isVisible()).to.equal(false);
    expect(await failing.isVisible()).to.equal(true);
    const hidden = await page
      .locator('#acceptance tbody tr:not(.failed)')
      .evaluateAll((rows) => rows.map((r) => (r as { hidden: boolean }).hidden));
    expect(hidden, 'every row that is not a failure')
      .to.have.length(5)
      .and.to.satisfy((h: boolean[]) => h.every(Boolean));
    await box.uncheck();
    expect(await passing.isVisible()).to.equal(true);
  });

  it('shows chaos expected against observed', async () => {
    const lost = page.locator('#chaos tbody tr', { hasText: 'nats-restart-redelivery' });
    expect(await lost.isVisible()).to.equal(true);
    const row = await cells(lost);
    expect(row.slice(3)).to.deep.equal(['lost', '0', '4', '-', 'FAIL']);
    const recovery = await cells(page.locator('#chaos tbody tr', { has: page.locator('code', { hasText: /^recoveredWithinMs$/ }) }));
    expect(recovery.slice(recovery.indexOf('recoveredWithinMs'), recovery.indexOf('recoveredWithinMs') + 4)).to.deep.equal([
      'recoveredWithinMs',
      '5000',
      '4200',
      '500',
    ]);
  });

  it('draws a visible SVG chart with a non-empty line for every scenario, and the histogram bars', async () => {
    for (const name of SCENARIOS) {
      const scenario = page.locator(`#scenario-${name}`);
      expect(await scenario.locator('h3').innerText()).to.equal(name);
      const charts = scenario.locator('svg');
      expect(await charts.count(), `${name}: charts`).to.be.greaterThan(0);
      const box = await charts.first().boundingBox();
      expect(box?.width ?? 0, `${name}: chart width`).to.be.greaterThan(100);
      expect(box?.height ?? 0, `${name}: chart height`).to.be.greaterThan(100);
      const points = await scenario
        .locator('svg polyline.series')
        .evaluateAll((lines) => lines.map((l) => (l as { getAttribute(n: string): string | null }).getAttribute('points') ?? ''));
      expect(points.length, `${name}: lines`).to.be.greaterThan(0);
      for (const p of points) expect(p.trim().split(/\s+/).length, `${name}: points of a line`).to.be.greaterThan(1);
    }
    const throughput = page.locator('#scenario-pubsub-throughput');
    expect(await throughput.locator('figcaption').allInnerTexts()).to.deep.equal([
      'Latency by percentile',
      'Throughput and errors per second',
      'Latency over time',
      'Latency histogram — orders',
    ]);
    const bars = await throughput
      .locator('rect.bar')
      .evaluateAll((rects) => rects.map((r) => Number((r as { getAttribute(n: string): string | null }).getAttribute('height'))));
    expect(bars).to.have.length(6);
    expect(bars.every((h) => h >= 0) && bars.some((h) => h > 0), `bar heights ${bars.join(',')}`).to.equal(true);
    expect(await throughput.locator('p', { hasText: 'requests' }).innerText()).to.equal('6030 requests · 4 errors · 30 seconds');
  });

  it('tabulates pub/sub delivery per subscriber, state success, autoscale and sidecar resources', async () => {
    const rows = page.locator('#pubsub > table tbody tr');
    expect(await rows.count()).to.equal(3);
    expect(await cells(rows.nth(0))).to.deep.equal(['audit', '19990', '-', '10', '0', '0', '99.950 %', '400 ms', '-', '-', '-']);
    expect(await cells(rows.nth(1))).to.deep.equal(['billing', '500', '-', '0', '-', '-', '100.000 %', '-', '-', '-', '-']);
    expect(await cells(rows.nth(2))).to.deep.equal([
      'orders',
      '20000',
      '-',
      '0',
      '3',
      '1',
      '99.800 %',
      '420 ms',
      '35 ms',
      '-1.5 ± 0.8 ms',
      '2',
    ]);
    expect(await page.locator('#state td', { hasText: '99.900 % (9990 ok, 10 failed)' }).isVisible()).to.equal(true);
    expect(await page.locator('#autoscale p').first().innerText()).to.contain('Peak 50 replicas');
    expect(await page.locator('#autoscale svg polyline.series').count(), 'replicas and target lines').to.equal(2);
    expect((await cells(page.locator('#resources tbody tr', { hasText: 'daprd-publisher' }))).slice(0, 4)).to.deep.equal([
      'daprd-publisher',
      '45 %',
      '32.5 %',
      '65 MB',
    ]);
    expect(await page.locator('#resources figcaption').allInnerTexts()).to.include('Memory (RSS) — pubsub-throughput');
  });

  it('records the environment', async () => {
    const value = async (name: string): Promise<string> =>
      page
        .locator('#environment tr', { has: page.locator('th', { hasText: new RegExp(`^${name}$`) }) })
        .locator('td')
        .innerText();
    expect(await value('Dapr version')).to.equal('1.18.2');
    expect(await value('mTLS')).to.equal('on');
    expect(await value('Configuration digest')).to.equal('sha256:c0ffee');
    expect(await page.locator('#environment td', { hasText: 'pubsub.jetstream' }).isVisible()).to.equal(true);
  });

  it('compares with the previous run and highlights the regressions', async () => {
    const comparison = page.locator('#comparison');
    expect(await comparison.locator('p').first().innerText()).to.match(
      /^Against all run 20261126-060000-0001 \(started 2026-11-26T06:00:00\.000Z\): 3 regressions\./,
    );
    expect(await cells(comparison.locator('tbody tr.regression', { hasText: 'saves and reads back with etag' }))).to.deep.equal([
      'saves and reads back with etag',
      'passed',
      'failed',
    ]);
    const latency = comparison.locator('tbody tr.regression', { hasText: 'pubsub.e2e_latency' });
    expect((await cells(latency)).slice(0, 7)).to.deep.equal([
      'pubsub.e2e_latency',
      'subscriber=orders',
      'p99',
      '300',
      '420',
      '+120',
      '+40 %',
    ]);
    expect(await comparison.locator('tbody tr.regression').count()).to.equal(3);
    const plain = comparison.locator('tbody tr:not(.regression):not(.improvement)', { hasText: 'state.success_rate' }).first();
    expect(await cssOf(latency, 'background-color'), 'a regression row stands out from an unchanged one').to.not.equal(
      await cssOf(plain, 'background-color'),
    );
    expect(await cssOf(latency.locator('td.delta').first(), 'color'), 'its delta in the failure colour').to.equal(
      await cssOf(page.locator('#verdict .verdict-big'), 'color'),
    );
  });

  it('hides unchanged rows behind "only regressions"', async () => {
    const plain = page.locator('#comparison tbody tr:not(.regression)').first();
    expect(await plain.isVisible()).to.equal(true);
    await page.locator('#only-regressions').check();
    expect(await plain.isVisible()).to.equal(false);
    expect(await page.locator('#comparison tbody tr.regression:visible').count()).to.equal(3);
    await page.locator('#only-regressions').uncheck();
    expect(await plain.isVisible()).to.equal(true);
  });

  it('makes a readable full-page screenshot', async () => {
    const file = join(root, 'report.png');
    await page.screenshot({ path: file, fullPage: true });
    const { width, height } = pngSize(file);
    expect(width).to.equal(1280);
    expect(height, 'the whole page, not one screen').to.be.greaterThan(3000);
  });

  describe('doctored reports', () => {
    it('shows an image tag in a test title as text and fetches nothing', async () => {
      const bait = `<img src="http://${BAIT_HOST}/pixel.png" onerror="document.title='owned'">`;
      const runDir = writeRun(
        join(root, 'doctored'),
        emptyResults({
          runId: 'doctored-title',
          kind: 'acceptance',
          target: { kind: 'local' },
          tests: [
            {
              id: 'bait',
              title: bait,
              suitePath: ['US9'],
              tags: ['US9'],
              status: 'failed',
              durationMs: 1,
              failure: { message: bait },
              measurements: {},
            },
          ],
        }),
      );
      const opened = await openOffline(requireBrowser(browser).context, renderReport(runDir).file);
      try {
        expectOffline(opened.watch);
        expect(await opened.page.locator('img').count()).to.equal(0);
        expect(await opened.page.locator('#story-us9 tbody td').first().innerText()).to.contain(bait);
        expect(await opened.page.locator('#story-us9 pre.fail').innerText()).to.equal(bait);
        expect(await opened.page.title()).to.equal('dapr-harness · acceptance run doctored-title');
      } finally {
        await opened.page.close();
      }
    });

    it('catches a template that reaches for an external script or stylesheet image', async () => {
      const templates = join(root, 'templates');
      cpSync(TEMPLATES_DIR, templates, { recursive: true });
      const hbs = join(templates, 'report.hbs');
      writeFileSync(hbs, readFileSync(hbs, 'utf8').replace('</head>', `<script src="http://${BAIT_HOST}/tracker.js"></script>\n</head>`));
      appendFileSync(join(templates, 'report.css'), `\nbody { background-image: url("http://${BAIT_HOST}/paper.png"); }\n`);
      const results = richResults();
      const file = join(root, 'doctored-template.html');
      writeFileSync(file, compileReportTemplate(templates)(reportView(results, {})));
      const opened = await openOffline(requireBrowser(browser).context, file);
      try {
        expect(() => expectOffline(opened.watch)).to.throw(/network requests the page attempted/);
        expect(opened.watch.attempted).to.have.members([`http://${BAIT_HOST}/tracker.js`, `http://${BAIT_HOST}/paper.png`]);
        expect(opened.watch.consoleErrors.join('\n')).to.contain('ERR_BLOCKED_BY_CLIENT');
      } finally {
        await opened.page.close();
      }
      // the same view through the real templates fetches nothing: the bait, not the data, made the requests
      const control = join(root, 'control.html');
      writeFileSync(control, compileReportTemplate()(reportView(results, {})));
      const clean = await openOffline(requireBrowser(browser).context, control);
      try {
        expectOffline(clean.watch);
      } finally {
        await clean.page.close();
      }
    });

    it('fails, naming the install command, when Chromium is missing', async () => {
      const missing = join(root, 'no-such-dir', 'chromium');
      let message = '';
      try {
        await launchHeadlessChromium({ executablePath: missing });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).to.contain(missing).and.to.contain('apt-get install chromium');
      expect(message).to.not.contain('\n');
    });
  });
});

function requireBrowser(b: HeadlessChromium | undefined): HeadlessChromium {
  if (!b) throw new Error('the browser did not start; see the before-all hook');
  return b;
}
