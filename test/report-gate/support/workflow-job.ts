import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../../harness/paths';

export interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  'continue-on-error'?: boolean;
}
export interface Job {
  env?: Record<string, string>;
  steps: Step[];
}

const workflow = parse(readFileSync(join(REPO_ROOT, '.github/workflows/dapr-gate.yml'), 'utf8')) as { jobs: Record<string, Job> };
export const job = Object.values(workflow.jobs)[0] as Job;
export const steps = job.steps;

/** `${{ … }}` as GitHub would fill it for a test's run: the given repository variables and secrets, run id 42. */
function expand(text: string, ctx: { secrets: Record<string, string>; vars: Record<string, string> }): string {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
    const withDefault = /^vars\.(\w+) \|\| '([^']*)'$/.exec(expr);
    if (withDefault) return ctx.vars[withDefault[1] as string] || (withDefault[2] as string);
    if (expr === 'github.run_id') return '42';
    const secret = /^secrets\.(\w+)$/.exec(expr);
    if (secret) return ctx.secrets[secret[1] as string] ?? '';
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

export interface JobRun {
  ok: boolean;
  outcomes: Record<string, string>;
  summary: string;
  log: string;
  /** The scratch checkout the steps ran in (kept when `keep` was asked; the caller removes it). */
  work: string;
}

export interface JobOptions {
  /**
   * `stand-in`: `npm run acceptance|chaos|load` write results without a deployment (passing unless WORKFLOW_FAIL
   * names the kind); `real`: they are the harness's own commands. `npm run gate` is always the real gate.
   */
  npm: 'stand-in' | 'real';
  env?: Record<string, string>;
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  /** Per step, at most this long (default 10 min). */
  stepTimeoutMs?: number;
  /** Keep the scratch checkout (its run folders) for the caller to read. */
  keep?: boolean;
}

/**
 * Runs the workflow's `run:` steps in order in a scratch checkout, the way Actions would: job and step env, `if:`,
 * `continue-on-error`, $GITHUB_ENV between steps. The criteria are the real criteria.yaml.
 */
export function runWorkflowJob(o: JobOptions): JobRun {
  const work = mkdtempSync(join(tmpdir(), 'dapr-gate-workflow-'));
  try {
    copyFileSync(join(REPO_ROOT, 'criteria.yaml'), join(work, 'criteria.yaml'));
    const bin = join(work, '.bin');
    mkdirSync(bin);
    const tsx = join(REPO_ROOT, 'node_modules/.bin/tsx');
    const cli = join(REPO_ROOT, 'harness/cli/main.ts');
    const runs =
      o.npm === 'real'
        ? `exec ${tsx} ${cli} "$cmd" "$@"`
        : `exec ${tsx} ${join(REPO_ROOT, 'test/report-gate/support/workflow-run-writer.ts')} "$cmd" "$@"`;
    writeFileSync(
      join(bin, 'npm'),
      `#!/usr/bin/env bash
set -e
[ "$1" = ci ] && exit 0
[ "$1" = run ] && shift
[ "$1" = --silent ] && shift
cmd=$1; shift; [ "$1" = -- ] && shift
case "$cmd" in
  acceptance|chaos|load) ${runs} ;;
  gate) exec ${tsx} ${cli} gate "$@" ;;
  *) echo "npm: unexpected $cmd" >&2; exit 3 ;;
esac
`,
    );
    chmodSync(join(bin, 'npm'), 0o755);
    const ctx = { secrets: o.secrets ?? { DAPR_KUBECONFIG: 'apiVersion: v1\nkind: Config\n' }, vars: o.vars ?? {} };
    const files = {
      GITHUB_ENV: join(work, 'github-env'),
      GITHUB_OUTPUT: join(work, 'github-output'),
      GITHUB_STEP_SUMMARY: join(work, 'summary.md'),
    };
    for (const f of Object.values(files)) writeFileSync(f, '');
    const jobEnv = Object.fromEntries(Object.entries(job.env ?? {}).map(([k, v]) => [k, expand(String(v), ctx)]));
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
      const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(String(v), ctx)]));
      const script = expand(step.run, ctx).replace(/\$\{\{[^}]*\}\}/g, '');
      const res = spawnSync('bash', ['-e', '-c', script], {
        cwd: work,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        timeout: o.stepTimeoutMs ?? 10 * 60_000,
        killSignal: 'SIGINT',
        env: {
          ...process.env,
          ...o.env,
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
    return { ok: !jobFailed, outcomes, summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'), log, work };
  } finally {
    if (!o.keep) rmSync(work, { recursive: true, force: true });
  }
}
