import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../harness/paths';

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  'continue-on-error'?: boolean;
}
interface Job {
  env?: Record<string, string>;
  steps: Step[];
}

const workflow = parse(readFileSync(join(REPO_ROOT, '.github/workflows/dapr-gate.yml'), 'utf8')) as { jobs: Record<string, Job> };
const job = Object.values(workflow.jobs)[0] as Job;
const steps = job.steps;

/** `${{ … }}` as GitHub would fill it for this test's run: no repository variables, run id 42. */
function expand(text: string, secrets: Record<string, string>): string {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
    if (expr === "vars.DAPR_NAMESPACE || 'dapr-harness'") return 'dapr-harness';
    if (expr === 'github.run_id') return '42';
    const secret = /^secrets\.(\w+)$/.exec(expr);
    if (secret) return secrets[secret[1] as string] ?? '';
    const outcome = /^steps\.(\w+)\.outcome$/.exec(expr);
    if (outcome) return `<${outcome[1]}>`;
    throw new Error(`the workflow test does not know how to expand \${{ ${expr} }}`);
  });
}

/** The `if:` conditions this workflow uses: always(), and outcomes of earlier steps joined by || and &&. */
function condition(expr: string | undefined, outcomes: Record<string, string>, jobFailed: boolean): boolean {
  if (expr === undefined) return !jobFailed;
  const js = expr
    .replace(/always\(\)/g, 'true')
    .replace(/steps\.(\w+)\.outcome\s*==\s*'(\w+)'/g, (_, id: string, want: string) => String(outcomes[id] === want));
  if (!/^[\s()truefals&|]+$/.test(js)) throw new Error(`the workflow test cannot evaluate if: ${expr}`);
  return Function(`return (${js});`)() as boolean;
}

interface JobRun {
  ok: boolean;
  outcomes: Record<string, string>;
  summary: string;
  log: string;
}

/**
 * Runs the workflow's `run:` steps in order in a scratch checkout, the way Actions would: job and step env, `if:`,
 * `continue-on-error`. `npm run acceptance|chaos|load` are stood in for by a writer of results (passing unless
 * WORKFLOW_FAIL names the kind); `npm run gate` is the real gate CLI on the real criteria.yaml.
 */
function runJob(env: { WORKFLOW_FAIL?: string; WORKFLOW_CRASH?: string }): JobRun {
  const work = mkdtempSync(join(tmpdir(), 'dapr-gate-workflow-'));
  try {
    copyFileSync(join(REPO_ROOT, 'criteria.yaml'), join(work, 'criteria.yaml'));
    const bin = join(work, '.bin');
    mkdirSync(bin);
    const tsx = join(REPO_ROOT, 'node_modules/.bin/tsx');
    writeFileSync(
      join(bin, 'npm'),
      `#!/usr/bin/env bash
set -e
[ "$1" = ci ] && exit 0
[ "$1" = run ] && shift
[ "$1" = --silent ] && shift
cmd=$1; shift; [ "$1" = -- ] && shift
case "$cmd" in
  acceptance|chaos|load) exec ${tsx} ${join(REPO_ROOT, 'test/report-gate/support/workflow-run-writer.ts')} "$cmd" "$@" ;;
  gate) exec ${tsx} ${join(REPO_ROOT, 'harness/cli/main.ts')} gate "$@" ;;
  *) echo "npm: unexpected $cmd" >&2; exit 3 ;;
esac
`,
    );
    chmodSync(join(bin, 'npm'), 0o755);
    const secrets = { DAPR_KUBECONFIG: 'apiVersion: v1\nkind: Config\n' };
    const files = {
      GITHUB_ENV: join(work, 'github-env'),
      GITHUB_OUTPUT: join(work, 'github-output'),
      GITHUB_STEP_SUMMARY: join(work, 'summary.md'),
    };
    for (const f of Object.values(files)) writeFileSync(f, '');
    const jobEnv = Object.fromEntries(Object.entries(job.env ?? {}).map(([k, v]) => [k, expand(String(v), secrets)]));
    const outcomes: Record<string, string> = {};
    let jobFailed = false;
    let log = '';
    for (const step of steps) {
      if (!step.run) continue;
      if (!condition(step.if, outcomes, jobFailed)) continue;
      const fromGithubEnv = Object.fromEntries(
        readFileSync(files.GITHUB_ENV, 'utf8')
          .split('\n')
          .filter((l) => l.includes('='))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(String(v), secrets)]));
      const script = expand(step.run, secrets).replace(/\$\{\{[^}]*\}\}/g, '');
      const res = spawnSync('bash', ['-e', '-c', script], {
        cwd: work,
        encoding: 'utf8',
        env: {
          ...process.env,
          ...env,
          ...files,
          RUNNER_TEMP: work,
          ...jobEnv,
          ...fromGithubEnv,
          ...stepEnv,
          PATH: `${bin}:${process.env.PATH ?? ''}`,
        },
      });
      log += `--- ${step.name ?? step.id}: exit ${res.status}\n${res.stdout}${res.stderr}`;
      const outcome = res.status === 0 ? 'success' : 'failure';
      if (step.id) outcomes[step.id] = outcome;
      if (outcome === 'failure' && !step['continue-on-error']) jobFailed = true;
    }
    return { ok: !jobFailed, outcomes, summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'), log };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

describe('example CI workflow (.github/workflows/dapr-gate.yml)', function () {
  this.timeout(120_000);

  it('runs acceptance, chaos and load against the namespace k8s/ deploys to, each into its own run, before the gate', () => {
    const order = ['acceptance', 'chaos', 'load', 'gate'].map((id) => steps.findIndex((s) => s.id === id));
    expect(
      order.every((i) => i >= 0),
      'steps acceptance, chaos, load, gate',
    ).to.equal(true);
    expect(order).to.deep.equal([...order].sort((a, b) => a - b));
    for (const id of ['acceptance', 'chaos', 'load']) {
      const step = steps.find((s) => s.id === id);
      expect(step?.run).to.match(
        new RegExp(
          `npm run ${id} -- --target kubernetes --kubeconfig "\\$KUBECONFIG_FILE" --namespace "\\$NAMESPACE" --out "\\$RUNS/${id}"`,
        ),
      );
      expect(step?.['continue-on-error'], `a failing ${id} run still reaches the gate`).to.equal(true);
    }
    expect(job.env?.NAMESPACE).to.contain("'dapr-harness'");
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.if).to.equal('always()');
  });

  it('passes when every run meets criteria.yaml', () => {
    const run = runJob({});
    expect(run.ok, run.log).to.equal(true);
    expect(run.outcomes).to.deep.include({ acceptance: 'success', chaos: 'success', load: 'success', gate: 'success' });
    expect(run.summary).to.contain('gate PASSED');
    expect(run.summary).to.match(/tests\.chaos\s+-\s+failed==0\s+0\s+pass/);
  });

  it('fails at the gate, naming the criterion, when the load run misses one', () => {
    const run = runJob({ WORKFLOW_FAIL: 'load' });
    expect(run.ok, run.log).to.equal(false);
    expect(run.outcomes.gate).to.equal('failure');
    expect(run.summary).to.match(/pubsub\.delivery_rate\s+subscriber=orders\s+rate>=0\.999\s+0\.98\s+FAIL/);
  });

  it('fails when the chaos run produced nothing: its criteria are not measured', () => {
    const run = runJob({ WORKFLOW_CRASH: 'chaos' });
    expect(run.ok, run.log).to.equal(false);
    expect(run.summary).to.match(/tests\.chaos\s+-\s+failed==0\s+not in these runs\s+FAIL \(not in this run\)/);
  });
});
