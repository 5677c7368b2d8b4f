/**
 * Stands in for `npm run acceptance|chaos|load` when the example workflow's steps are run by the workflow test:
 * writes a results.json of that kind into --out, passing unless WORKFLOW_FAIL names this kind, and exits like the
 * real command. A kind listed in WORKFLOW_CRASH exits 1 without writing anything.
 */
import { emptyResults, writeResults } from '../../../harness/results/results-store';
import type { RunResults } from '../../../harness/results/results-model';
import { richResults } from '../../support/results-fixtures';

const [kind = '', ...args] = process.argv.slice(2);
const out = args[args.indexOf('--out') + 1];
if (!out || args.indexOf('--out') < 0) throw new Error(`${kind}: the workflow must pass --out`);
const fails = (process.env.WORKFLOW_FAIL ?? '').split(',').includes(kind);
if ((process.env.WORKFLOW_CRASH ?? '').split(',').includes(kind)) process.exit(1);

const base = { runId: `ci-${kind}`, target: { kind: 'kubernetes' as const } };
const rich = richResults();
let results: RunResults;
if (kind === 'acceptance') {
  const tests = rich.tests.filter((t) => t.status === 'passed').map((t) => ({ ...t, area: 'acceptance' }));
  if (fails) tests.push({ ...tests[0]!, id: 'broken', title: 'broken', status: 'failed', failure: { message: 'boom' } });
  results = emptyResults({ ...base, kind: 'acceptance', tests });
} else if (kind === 'chaos') {
  const tests = rich.chaos.map((c) => ({
    id: c.probe,
    title: c.probe,
    suitePath: ['chaos'],
    tags: [],
    area: 'chaos',
    status: (fails ? 'failed' : 'passed') as 'failed' | 'passed',
    durationMs: 1,
    measurements: {},
  }));
  results = emptyResults({ ...base, kind: 'chaos', tests, chaos: rich.chaos.map((c) => ({ ...c, passed: !fails })) });
} else if (kind === 'load') {
  const metrics = rich.metrics.map((m) => (fails && m.name === 'pubsub.delivery_rate' ? { ...m, rate: 0.98, passes: 98, fails: 2 } : m));
  results = emptyResults({ ...base, kind: 'load', metrics });
} else {
  throw new Error(`unexpected harness command ${kind}`);
}
writeResults(out, results);
process.exit(fails ? 1 : 0);
