import { existsSync, readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { usageError } from '../errors/harness-error';
import type { RunResults } from './results-model';

/**
 * known-deviations.yaml: failures the user has acknowledged. Applying it never turns a failure into a pass: the
 * test keeps status `failed` and gains a `deviation` record, which every view shows apart and the gate counts.
 */
export interface KnownDeviation {
  /** The test's full title (its id in results.json). */
  test: string;
  /** Component type (state.redis); the entry applies only when the deployment runs one. */
  component?: string;
  reason: string;
  link?: string;
  line: number;
}

const HINT = "write deviations: [{ test: '<full test title>', component: state.redis, reason: '…', link: 'https://…' }]";

export function loadKnownDeviations(file: string): KnownDeviation[] {
  if (!existsSync(file))
    throw usageError(
      'DEVIATIONS_MISSING',
      `known-deviations file ${file} does not exist`,
      'pass an existing file to --known-deviations, or leave the flag out',
    );
  return parseKnownDeviations(readFileSync(file, 'utf8'), file);
}

export function parseKnownDeviations(text: string, file: string): KnownDeviation[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax)
    throw usageError(
      'DEVIATIONS_INVALID',
      `${file}:${lines.linePos(syntax.pos[0]).line}: YAML syntax error: ${syntax.message.split('\n')[0]}`,
      'fix the YAML at that line',
    );
  const root: unknown = doc.toJS();
  const list = (root as { deviations?: unknown } | null)?.deviations;
  if (!Array.isArray(list)) throw usageError('DEVIATIONS_INVALID', `${file}: no \`deviations:\` list`, HINT);
  const nodes = (doc.get('deviations', true) as { items?: { range?: [number, number, number] }[] } | undefined)?.items ?? [];
  return list.map((entry: unknown, i): KnownDeviation => {
    const line = lines.linePos(nodes[i]?.range?.[0] ?? 0).line;
    const e = (entry ?? {}) as Record<string, unknown>;
    const unknown = Object.keys(e).filter((k) => !['test', 'component', 'reason', 'link'].includes(k));
    if (unknown.length > 0) throw usageError('DEVIATIONS_INVALID', `${file}:${line}: unknown key '${unknown[0]}'`, HINT);
    for (const k of ['test', 'reason'] as const) {
      if (typeof e[k] !== 'string' || (e[k] as string).trim() === '')
        throw usageError('DEVIATIONS_INVALID', `${file}:${line}: '${k}' must be a non-empty string`, HINT);
    }
    for (const k of ['component', 'link'] as const) {
      if (e[k] !== undefined && typeof e[k] !== 'string')
        throw usageError('DEVIATIONS_INVALID', `${file}:${line}: '${k}' must be a string`, HINT);
    }
    return {
      test: e.test as string,
      component: e.component as string | undefined,
      reason: (e.reason as string).trim(),
      link: e.link as string | undefined,
      line,
    };
  });
}

/** Marks each failed test a deviation acknowledges; returns how many it marked. Passed and skipped tests are untouched. */
export function applyKnownDeviations(results: RunResults, deviations: readonly KnownDeviation[]): number {
  const types = new Set(results.environment.components.map((c) => c.type));
  let marked = 0;
  for (const t of results.tests) {
    if (t.status !== 'failed') continue;
    const d = deviations.find((x) => x.test === t.id && (x.component === undefined || types.has(x.component)));
    if (!d) continue;
    t.deviation = { reason: d.reason, ...(d.component ? { component: d.component } : {}), ...(d.link ? { link: d.link } : {}) };
    marked++;
  }
  return marked;
}
