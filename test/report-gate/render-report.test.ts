import { expect } from 'chai';
import { cpSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { HarnessError } from '../../harness/errors/harness-error';
import { findPreviousRun } from '../../harness/report/previous-run';
import { buildReportHtml, renderReport } from '../../harness/report/render-report';
import { evaluateCriteria, type Verdict } from '../../harness/gate/criteria-evaluation';
import { loadCriteria } from '../../harness/gate/criteria-file';
import type { RunResults } from '../../harness/results/results-model';
import { reportCommand } from '../../harness/report/report-command';
import { readResults } from '../../harness/results/results-store';
import { emptyResults } from '../../harness/results/results-store';
import { REPO_ROOT } from '../../harness/paths';
import { MALICIOUS_TITLE, richResults, tempRunsRoot, writeRun } from '../support/results-fixtures';

/** The text of one `<section id=…>` of the page. */
function section(html: string, id: string): string {
  const start = html.indexOf(`<section id="${id}">`);
  expect(start, `section #${id}`).to.be.greaterThan(-1);
  return html.slice(start, html.indexOf('</section>', start));
}

/** The verdict the gate gives a run against the repository's criteria.yaml: what a session hands the report. */
function verdictOf(results: RunResults): Verdict {
  return evaluateCriteria(loadCriteria(join(REPO_ROOT, 'criteria.yaml')), results);
}

describe('HTML report', () => {
  const tmp = tempRunsRoot();
  const runs = join(tmp.root, 'runs');
  const older = writeRun(runs, richResults({ runId: '20261126-060000-0001', startedAt: '2026-11-26T06:00:00.000Z' }, { e2eP99: 300 }));
  const current = writeRun(runs, richResults({}, { deliveryRate: 0.998 }));
  // a newer run of another kind and a damaged directory beside them must not be picked as "previous"
  writeRun(
    runs,
    emptyResults({ runId: '20261126-070000-0002', kind: 'load', target: { kind: 'local' }, startedAt: '2026-11-26T07:00:00.000Z' }),
  );
  mkdirSync(join(runs, 'damaged'));
  writeFileSync(join(runs, 'damaged', 'results.json'), 'not json');
  let html = '';

  before(() => {
    const { file } = renderReport(current, { verdict: verdictOf(readResults(current)), previous: 'newest-earlier' });
    expect(file).to.equal(join(current, 'index.html'));
    html = readFileSync(file, 'utf8');
  });
  after(() => tmp.remove());

  it('renders every section in order: verdict first, comparison last', () => {
    const order = [
      'verdict',
      'acceptance',
      'chaos',
      'scenarios',
      'pubsub',
      'state',
      'metrics',
      'autoscale',
      'resources',
      'environment',
      'comparison',
    ];
    const positions = order.map((id) => html.indexOf(`<section id="${id}">`));
    expect(
      positions.every((p) => p > 0),
      JSON.stringify(positions),
    ).to.equal(true);
    expect([...positions].sort((a, b) => a - b)).to.deep.equal(positions);
  });

  it('puts the verdict against each criterion first, with measured and threshold', () => {
    const verdict = section(html, 'verdict');
    expect(verdict).to.contain('FAIL');
    expect(verdict).to.match(
      /<tr class="fail"><td><code>pubsub\.delivery_rate<\/code><\/td><td>subscriber&#x3D;orders<\/td><td><code>rate&gt;&#x3D;0\.999<\/code><\/td><td>0\.998<\/td>/,
    );
    expect(verdict).to.match(
      /<tr class="pass"><td><code>pubsub\.e2e_latency<\/code><\/td><td>subscriber&#x3D;orders<\/td><td><code>p\(99\)&lt;1000<\/code><\/td><td>420 ms<\/td>/,
    );
    expect(verdict).to.contain('failing: saves and reads back with etag');
    expect(verdict).to.contain('FAIL — 4 of 14 checks failed</p>');
    expect(html).to.contain('<span class="badge fail">criteria: FAIL (4 failed)</span>');
  });

  it('shows criteria only another kind of run measures as not in this run, so the headline agrees with the exit code', () => {
    const page = buildReportHtml(
      emptyResults({
        runId: 'acc',
        kind: 'acceptance',
        target: { kind: 'local' },
        tests: richResults().tests.filter((t) => t.status === 'passed'),
      }),
      {
        verdict: verdictOf(
          emptyResults({
            runId: 'acc',
            kind: 'acceptance',
            target: { kind: 'local' },
            tests: richResults().tests.filter((t) => t.status === 'passed'),
          }),
        ),
      },
    );
    expect(page).to.contain('criteria: PASS (7 not in this run)');
    expect(section(page, 'verdict')).to.contain('7 checks are measured only by another kind of run');
    expect(section(page, 'verdict')).to.contain('npm run gate -- --results &lt;this run&gt; &lt;other run&gt;');
    expect(section(page, 'verdict')).to.match(
      /<code>tests\.acceptance<\/code><\/td><td>-<\/td><td><code>failed&#x3D;&#x3D;0<\/code><\/td><td>0<\/td><td class="pass">/,
    );
  });

  it('tells a check the run did not measure apart from one that failed', () => {
    const load = emptyResults({ runId: 'load', kind: 'load', target: { kind: 'local' } });
    const page = buildReportHtml(load, { verdict: verdictOf(load) });
    expect(page).to.contain('criteria: FAIL (0 failed, 5 not measured)');
    expect(section(page, 'verdict')).to.contain('5 not measured in this run');
  });

  it('groups acceptance results by story and expands failures with their message', () => {
    const acceptance = section(html, 'acceptance');
    const stories = [...acceptance.matchAll(/<details class="story" id="([^"]+)"/g)].map((m) => m[1]);
    expect(stories, 'stories in number order, then suites without a story').to.deep.equal([
      'story-us1',
      'story-us2',
      'story-us3',
      'story-metadata',
    ]);
    expect(acceptance).to.match(/<details class="story" id="story-us2" open>/);
    expect(acceptance).to.match(/<details class="story" id="story-us1">/);
    expect(acceptance).to.contain('expected etag 2 but got 1');
  });

  it('shows chaos expected against observed', () => {
    const chaos = section(html, 'chaos');
    expect(chaos).to.contain('nats-restart-redelivery');
    expect(chaos).to.match(/<td><code>lost<\/code><\/td><td>0<\/td><td>4<\/td>/);
    expect(chaos).to.match(/<td><code>recoveredWithinMs<\/code><\/td><td>5000<\/td><td>4200<\/td><td>500<\/td>/);
  });

  it('draws a percentile chart, histogram and timeline per load scenario as inline SVG', () => {
    const scenarios = section(html, 'scenarios');
    const scenario = scenarios.slice(
      scenarios.indexOf('id="scenario-pubsub-throughput"'),
      scenarios.indexOf('id="scenario-invoke-steady"'),
    );
    for (const title of ['Latency by percentile', 'Throughput and errors per second', 'Latency over time', 'Latency histogram — orders'])
      expect(scenario).to.contain(`<figcaption>${title}</figcaption>`);
    expect(scenario.match(/<svg /g)).to.have.length(4);
    expect(scenario.match(/<rect class="bar"/g)).to.have.length(6);
    expect(scenario).to.match(/<polyline class="series" fill="none" stroke="#[0-9a-f]{6}" points="[\d., ]+">/);
    expect(scenario).to.contain('p99.9');
    // a scenario without histograms takes its percentiles from the trend tagged with it
    expect(scenarios.slice(scenarios.indexOf('id="scenario-invoke-steady"'))).to.contain(
      '<li><span class="swatch" style="background: #2563eb"></span>invoke.latency</li>',
    );
  });

  it('tabulates pub/sub delivery per subscriber and state success', () => {
    const pubsub = section(html, 'pubsub');
    expect(pubsub).to.match(
      /<tr class="trouble"><td>orders<\/td><td>20000<\/td><td>-<\/td><td>0<\/td><td>3<\/td><td>1<\/td><td>99\.800 %<\/td><td>420 ms<\/td><td>35 ms<\/td><td>-1\.5 ± 0\.8 ms<\/td><td>2<\/td><\/tr>/,
    );
    expect(pubsub).to.match(
      /<tr class="trouble"><td>audit<\/td><td>19990<\/td><td>-<\/td><td>10<\/td><td>0<\/td><td>0<\/td><td>99\.950 %<\/td><td>400 ms<\/td><td>-<\/td><td>-<\/td><td>-<\/td><\/tr>/,
    );
    expect(pubsub, 'a series without some counters shows a dash').to.match(
      /<tr class=""><td>billing<\/td><td>500<\/td><td>-<\/td><td>0<\/td><td>-<\/td><td>-<\/td><td>100\.000 %<\/td><td>-<\/td><td>-<\/td><td>-<\/td><td>-<\/td><\/tr>/,
    );
    const state = section(html, 'state');
    expect(state).to.contain('99.900 % (9990 ok, 10 failed)');
    expect(section(html, 'metrics')).to.contain('invoke.success_rate');
  });

  it('draws the autoscale replica timeline and sidecar CPU/memory', () => {
    const autoscale = section(html, 'autoscale');
    expect(autoscale).to.contain('<figcaption>Replicas over time</figcaption>');
    expect(autoscale).to.contain('Peak 50 replicas');
    expect(autoscale).to.contain('target (targetReplicas)');
    const resources = section(html, 'resources');
    expect(resources).to.match(/<td>daprd-publisher<\/td><td>45 %<\/td><td>32\.5 %<\/td><td>65 MB<\/td>/);
    expect(resources).to.contain('<figcaption>Memory (RSS) — pubsub-throughput</figcaption>');
  });

  it('shows the security review of the deployment files when the run carries one (npm run all), worst first', () => {
    const review = {
      paths: ['dapr-components/'],
      findings: [
        {
          ruleId: 'component-unscoped',
          severity: 'medium',
          file: 'dapr-components/pubsub.yaml',
          line: 4,
          message: 'Component/pubsub has no scopes',
          fix: 'add scopes',
        },
        {
          ruleId: 'mtls-disabled',
          severity: 'high',
          file: 'dapr-components/config.yaml',
          line: 7,
          message: 'mTLS is off',
          fix: 'set spec.mtls.enabled: true',
        },
      ],
      suppressed: [
        {
          ruleId: 'app-reachable-around-sidecar',
          severity: 'high',
          file: 'k8s/apps/sample-app.yaml',
          line: 29,
          reason: 'baseline by design',
        },
      ],
      errors: [],
    };
    const page = buildReportHtml(emptyResults({ runId: 'all', kind: 'all', target: { kind: 'local' }, securityReview: review }));
    const sectionHtml = section(page, 'security-review');
    expect(sectionHtml).to.contain('1 high · 1 medium; 1 suppressed');
    expect(sectionHtml.indexOf('mtls-disabled')).to.be.lessThan(sectionHtml.indexOf('component-unscoped'));
    expect(sectionHtml).to.contain('<code>dapr-components/config.yaml:7</code>');
    expect(sectionHtml).to.contain('baseline by design');
    expect(buildReportHtml(emptyResults({ runId: 'acc', kind: 'acceptance', target: { kind: 'local' } }))).to.not.contain(
      'id="security-review"',
    );
  });

  it('records the environment', () => {
    const env = section(html, 'environment');
    for (const text of [
      '1.18.2',
      'sha256:c0ffee',
      'sha256:beef',
      'pubsub.jetstream',
      'state.redis',
      'reference deployment',
      '2026-11-27T06:45:01.000Z',
    ])
      expect(env).to.contain(text);
  });

  it('compares with the previous run of the same kind and highlights regressions', () => {
    const comparison = section(html, 'comparison');
    expect(comparison).to.contain('<code>20261126-060000-0001</code>');
    expect(comparison).to.contain('2 regressions');
    expect(comparison).to.match(
      /<tr class="regression"><td><code>pubsub\.delivery_rate<\/code><\/td><td>subscriber&#x3D;orders<\/td><td>rate<\/td><td>1<\/td><td>0\.998<\/td>/,
    );
    expect(comparison).to.match(
      /<tr class="regression"><td><code>pubsub\.e2e_latency<\/code><\/td><td>subscriber&#x3D;orders<\/td><td>p99<\/td><td>300<\/td><td>420<\/td><td class="delta">\+120<\/td><td class="delta">\+40 %<\/td>/,
    );
    expect(comparison.match(/<tr class="regression">/g)).to.have.length(2);
    // unchanged numbers are listed too, unhighlighted
    expect(comparison).to.match(
      /<tr class=""><td><code>state\.success_rate<\/code><\/td><td>operation&#x3D;get<\/td><td>rate<\/td><td>1<\/td><td>1<\/td>/,
    );
  });

  it('does not flag a latency that rose by 10 % or less', () => {
    const before = richResults({ runId: 'a' }, { e2eP99: 400 });
    const after_ = richResults({ runId: 'b' }, { e2eP99: 440 });
    const page = buildReportHtml(after_, { previous: before });
    expect(section(page, 'comparison')).to.contain('no regressions');
    expect(section(page, 'comparison')).to.not.contain('<tr class="regression">');
  });

  it('escapes a malicious test title', () => {
    expect(html).to.not.contain('<script>alert');
    expect(html).to.contain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; delivers &amp; acks');
    expect(html.match(/<script>/g), 'only the page’s own script').to.have.length(1);
    const hostile = richResults({
      environment: {
        components: [{ name: '"><img src=x onerror=alert(1)>', type: 'state.redis' }],
        daprVersion: '</style><script>x()</script>',
      },
    });
    const page = buildReportHtml(hostile);
    expect(page).to.not.contain('<img src=x');
    expect(page).to.not.contain('</style><script>x()');
    expect(page).to.contain('&quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(MALICIOUS_TITLE).to.contain('<script>');
  });

  it('is self-contained: no external src or href, no stylesheet or script links', () => {
    expect(html).to.not.match(/\b(src|href|xlink:href|action)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).to.not.match(/<link\b/i);
    expect(html).to.not.match(/<script[^>]+src=/i);
    expect(html).to.not.match(/@import|url\(\s*['"]?https?:/i);
    for (const m of html.matchAll(/\b(?:src|href)="([^"]*)"/g)) expect(m[1], 'only in-page anchors').to.match(/^#[a-z0-9-]+$/);
  });

  it('marks a partial run at the top, and only a partial run', () => {
    expect(html).to.not.contain('PARTIAL RUN');
    const partial = buildReportHtml(richResults({ partial: true, errors: [{ code: 'DEPLOYMENT_LOST', message: 'daprd exited' }] }));
    const banner = partial.indexOf('id="partial-run"');
    expect(banner).to.be.greaterThan(0);
    expect(banner).to.be.lessThan(partial.indexOf('<h1>'));
    expect(partial).to.contain('PARTIAL RUN');
    expect(partial).to.contain('<title>dapr-harness · all run 20261127-064501-aaaa (partial)</title>');
    expect(partial).to.contain('<code>DEPLOYMENT_LOST</code> daprd exited');
  });

  it('re-renders an old run from its results.json alone', () => {
    const copy = join(tmp.root, 'archive', 'old-run');
    cpSync(older, copy, { recursive: true });
    const page = readFileSync(renderReport(copy).file, 'utf8');
    expect(page).to.contain('No criteria file was given');
    expect(page).to.contain('No earlier all run was found');
    expect(page).to.contain('20261126-060000-0001');
    // the same results give the same page
    const again = readFileSync(renderReport(copy).file, 'utf8');
    expect(again).to.equal(page);
    // and an explicitly named previous run is compared with even outside the folder
    const compared = readFileSync(renderReport(copy, { previous: current }).file, 'utf8');
    expect(compared).to.contain('Against all run <code>20261127-064501-aaaa</code>');
  });

  it('finds the previous run through a reports/latest link, skipping other kinds, damaged and later runs', () => {
    const latest = join(tmp.root, 'latest');
    symlinkSync(current, latest);
    expect(findPreviousRun(latest, readResults(latest))?.results.runId).to.equal('20261126-060000-0001');
    expect(findPreviousRun(older, readResults(older)), 'nothing earlier than the oldest').to.equal(undefined);
  });

  it('report command writes the page, exits 0 whatever the verdict, and rejects a missing run', async () => {
    let out = '';
    const sink = { write: (s: string): boolean => ((out += s), true) };
    rmSync(join(current, 'index.html'));
    expect(await reportCommand({ runDir: current, criteria: join(REPO_ROOT, 'criteria.yaml'), out: sink })).to.equal(0);
    expect(statSync(join(current, 'index.html')).size).to.be.greaterThan(1000);
    expect(out).to.contain(`report: ${join(current, 'index.html')}`);
    expect(out).to.contain(
      `rendered from ${current}/results.json alone, verdict against ${join(REPO_ROOT, 'criteria.yaml')}, compared with run 20261126-060000-0001`,
    );
    expect(out).to.contain('criteria FAIL');
    try {
      await reportCommand({ runDir: join(tmp.root, 'missing'), criteria: false, out: sink });
      expect.fail('expected a usage error');
    } catch (err) {
      expect(err).to.be.instanceOf(HarnessError);
      expect((err as HarnessError).code).to.equal('RESULTS_MISSING');
    }
  });
});
