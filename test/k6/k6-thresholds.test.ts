import { expect } from 'chai';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCriteria, type Criterion } from '../../harness/gate/criteria-file';
import { k6MetricName, thresholdProblems, unjudgedMetrics } from './support/criteria-mapping';
import { recording } from './support/k6-runtime/recorder';
import { loadK6Script, resetRuntime, type K6Module } from './support/k6-script';
import { CRITERIA_FILE, K6_DIR, K6_SHARED_MODULES, k6Scripts } from './support/k6-paths';

/**
 * The thresholds k6 would apply, read from each script's exported `options` after its init code ran (per-series
 * keys are built from the settings), held against criteria.yaml as the harness's gate parses it.
 */
const VARIANTS: { script: string; env: Record<string, string> }[] = [
  { script: 'invoke.ts', env: {} },
  { script: 'invoke.ts', env: { BASELINE: 'off', WARMUP: '0' } },
  { script: 'pubsub.ts', env: {} },
  { script: 'pubsub.ts', env: { SUBSCRIBERS: 'orders=http://127.0.0.1:9001|http://127.0.0.1:9002,billing=http://127.0.0.1:9003' } },
  { script: 'state.ts', env: {} },
  { script: 'autoscale.ts', env: {} },
  { script: 'autoscale.ts', env: { K8S_API: 'http://127.0.0.1:8001' } },
];

async function load(file: string, env: Record<string, string> = {}): Promise<{ mod: K6Module; thresholds: Record<string, unknown[]> }> {
  resetRuntime();
  const mod = await loadK6Script(file, env);
  return { mod, thresholds: mod.options?.thresholds ?? {} };
}

describe('k6 scripts: thresholds are criteria.yaml', function () {
  let criteria: Criterion[];

  before(function () {
    criteria = loadCriteria(CRITERIA_FILE).criteria;
  });

  it('every criterion has a distinct, valid k6 metric name', function () {
    const names = criteria.map((c) => k6MetricName(c.metric));
    for (const n of names) expect(n).to.match(/^[a-zA-Z_][a-zA-Z0-9_]{0,127}$/);
    expect(new Set(names).size, 'two criteria would share a k6 name').to.equal(new Set(criteria.map((c) => c.metric)).size);
  });

  it('the variants cover every script in load/k6', function () {
    expect([...new Set(VARIANTS.map((v) => v.script))].sort()).to.deep.equal(k6Scripts());
  });

  for (const { script, env } of VARIANTS) {
    const shown = Object.keys(env).length
      ? `${script} with ${Object.entries(env)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`
      : script;
    it(`${shown}: each threshold names a criterion's metric with the criterion's comparison and number`, async function () {
      const { thresholds } = await load(join(K6_DIR, script), env);
      expect(thresholdProblems(script, thresholds, criteria)).to.deep.equal([]);
      expect(unjudgedMetrics(script, recording.declared, thresholds, criteria)).to.deep.equal([]);
    });
  }

  it('judges each series on its own, as the gate does: one key per subscriber and per operation', async function () {
    const pubsub = await load(join(K6_DIR, 'pubsub.ts'), { SUBSCRIBERS: 'orders=http://127.0.0.1:9001,billing=http://127.0.0.1:9002' });
    expect(Object.keys(pubsub.thresholds).sort()).to.deep.equal([
      'pubsub_delivery_rate{subscriber:billing}',
      'pubsub_delivery_rate{subscriber:orders}',
      'pubsub_e2e_latency{subscriber:billing}',
      'pubsub_e2e_latency{subscriber:orders}',
      'pubsub_publish_success_rate',
    ]);
    const state = await load(join(K6_DIR, 'state.ts'));
    expect(Object.keys(state.thresholds).sort()).to.deep.equal([
      'state_success_rate{operation:delete}',
      'state_success_rate{operation:get}',
      'state_success_rate{operation:save}',
    ]);
  });

  it('puts the optional autoscale.max_replicas threshold only on a run that watches replicas', async function () {
    expect((await load(join(K6_DIR, 'autoscale.ts'))).thresholds).to.deep.equal({});
    expect((await load(join(K6_DIR, 'autoscale.ts'), { K8S_API: 'http://127.0.0.1:8001' })).thresholds).to.deep.equal({
      autoscale_max_replicas: ['value>=50'],
    });
  });

  it('the README maps every criterion a script measures to its k6 name', async function () {
    const readme = readFileSync(join(K6_DIR, 'README.md'), 'utf8');
    const measured = new Set<string>();
    for (const { script, env } of VARIANTS) {
      await load(join(K6_DIR, script), env);
      for (const name of recording.declared.keys()) measured.add(name);
    }
    for (const c of criteria) {
      const k6 = k6MetricName(c.metric);
      if (!measured.has(k6)) continue;
      expect(readme, `README row for ${c.metric}`).to.match(
        new RegExp(`\\|\\s*\`${c.metric.replaceAll('.', '\\.')}\`\\s*\\|\\s*\`${k6}\`\\s*\\|`),
      );
    }
  });

  describe('a doctored script is caught', function () {
    let dir: string;
    before(function () {
      dir = mkdtempSync(join(tmpdir(), 'k6-doctored-'));
      // The copies import the scripts' shared modules from beside them, as k6 does from the ConfigMap.
      for (const m of K6_SHARED_MODULES) copyFileSync(join(K6_DIR, m), join(dir, m));
    });
    after(function () {
      rmSync(dir, { recursive: true, force: true });
    });

    /** A copy of a script with one edit, as an .mts so that it loads as an ES module outside the repository. */
    function doctor(script: string, from: string, to: string): string {
      const source = readFileSync(join(K6_DIR, script), 'utf8');
      const text = source.replace(from, to);
      expect(text, `the doctoring of ${script} applies`).to.not.equal(source);
      const file = join(dir, `${script.replace(/\.ts$/, '')}-${Math.random().toString(36).slice(2)}.mts`);
      writeFileSync(file, text);
      return file;
    }

    it('whose number drifts from criteria.yaml', async function () {
      const { thresholds } = await load(doctor('invoke.ts', "invoke_success_rate: ['rate>=0.999']", "invoke_success_rate: ['rate>=0.99']"));
      const problems = thresholdProblems('invoke.ts', thresholds, criteria);
      expect(problems).to.have.length(1);
      expect(problems[0]).to.match(
        /'invoke_success_rate' has \[rate>=0\.99\] where criteria\.yaml:\d+ invoke\.success_rate has \[rate>=0\.999\]/,
      );
    });

    it('whose comparison drifts from criteria.yaml', async function () {
      const { thresholds } = await load(doctor('pubsub.ts', "['p(99)<1000']", "['p(99)<=1000']"));
      const problems = thresholdProblems('pubsub.ts', thresholds, criteria);
      expect(problems).to.have.length(3);
      for (const p of problems)
        expect(p).to.match(
          /'pubsub_e2e_latency\{subscriber:[a-z-]+\}' has \[p\(99\)<=1000\] where criteria\.yaml:\d+ pubsub\.e2e_latency has \[p\(99\)<1000\]/,
        );
    });

    it('whose aggregation drifts from criteria.yaml', async function () {
      const { thresholds } = await load(doctor('pubsub.ts', "['p(99)<1000']", "['p(95)<1000']"));
      expect(thresholdProblems('pubsub.ts', thresholds, criteria).join('\n')).to.match(
        /has \[p\(95\)<1000\] where .* has \[p\(99\)<1000\]/,
      );
    });

    it('with a threshold on a metric criteria.yaml does not judge', async function () {
      const { thresholds } = await load(
        doctor(
          'state.ts',
          'thresholds: perOperationThresholds(),',
          "thresholds: { ...perOperationThresholds(), state_latency: ['p(99)<50'] },",
        ),
      );
      expect(thresholdProblems('state.ts', thresholds, criteria)).to.deep.equal([
        "state.ts: threshold on 'state_latency' has no criterion in criteria.yaml (k6 names of the criteria: " +
          [...new Set(criteria.map((c) => k6MetricName(c.metric)))].join(', ') +
          '); judge only what criteria.yaml judges',
      ]);
    });

    it('that measures a criterion but dropped its threshold', async function () {
      const file = doctor('invoke.ts', "invoke_success_rate: ['rate>=0.999'],", '');
      const { thresholds } = await load(file);
      expect(thresholdProblems('invoke.ts', thresholds, criteria)).to.deep.equal([]);
      expect(unjudgedMetrics('invoke.ts', recording.declared, thresholds, criteria)).to.deep.equal([
        `invoke.ts: measures invoke_success_rate (criteria.yaml:${criteria.find((c) => c.metric === 'invoke.success_rate')?.line} invoke.success_rate) but has no threshold on it`,
      ]);
    });

    it('against a criteria file whose number moved, the unchanged scripts fail', async function () {
      const moved = join(dir, 'criteria.yaml');
      copyFileSync(CRITERIA_FILE, moved);
      writeFileSync(
        moved,
        readFileSync(moved, 'utf8').replace("state.success_rate: ['rate>=0.995']", "state.success_rate: ['rate>=0.998']"),
      );
      const { thresholds } = await load(join(K6_DIR, 'state.ts'));
      expect(thresholdProblems('state.ts', thresholds, loadCriteria(moved).criteria)).to.have.length(3);
    });
  });
});
