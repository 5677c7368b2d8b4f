import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { isObject, REPO_ROOT } from './manifest';

/** One YAML document of a resources folder, named by kind and metadata.name. */
export interface ResourceDoc {
  /** Relative to the repository root. */
  file: string;
  key: string;
  body: Record<string, unknown>;
}

/** Every kind-bearing document in a folder's YAML files; kustomization.yaml is not a resource. */
export function loadResourceDocs(dir: string): ResourceDoc[] {
  const out: ResourceDoc[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!/\.ya?ml$/.test(name) || basename(name, '.yaml') === 'kustomization') continue;
    const file = join(dir, name);
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const body: unknown = doc.toJS();
      if (!isObject(body) || typeof body.kind !== 'string') continue;
      out.push({ file: relative(REPO_ROOT, file), key: resourceKey(body), body });
    }
  }
  return out;
}

export function resourceKey(body: Record<string, unknown>): string {
  const meta = isObject(body.metadata) ? body.metadata : {};
  return `${String(body.kind)}/${String(meta.name)}`;
}

/**
 * How the cluster's copies differ from the resources they were copied from: a resource without its copy, a copy
 * without its source, and every field whose parsed value differs. Formatting and comments are free to differ;
 * nothing else is, since dapr-components/ already names the cluster's hosts and secrets.
 */
export function resourceDrift(sources: ResourceDoc[], copies: ResourceDoc[]): string[] {
  const issues: string[] = [];
  const byKey = new Map(copies.map((c) => [c.key, c]));
  for (const source of sources) {
    const copy = byKey.get(source.key);
    if (!copy) {
      issues.push(`${source.key} (${source.file}) has no copy`);
      continue;
    }
    for (const path of differences(source.body, copy.body, ''))
      issues.push(`${source.key}: ${path} differs between ${source.file} and ${copy.file}`);
  }
  const sourceKeys = new Set(sources.map((s) => s.key));
  for (const copy of copies) {
    if (!sourceKeys.has(copy.key)) issues.push(`${copy.key} (${copy.file}) is not in the source folder`);
  }
  return issues;
}

/** Paths at which two parsed YAML values differ (`spec.metadata[1].value`), empty when they are equal. */
export function differences(a: unknown, b: unknown, path: string): string[] {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return [`${path || '(root)'} (length ${a.length} vs ${b.length})`];
    return a.flatMap((item, i) => differences(item, b[i], `${path}[${i}]`));
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => differences(a[k], b[k], path ? `${path}.${k}` : k));
  }
  return Object.is(a, b) ? [] : [path || '(root)'];
}
