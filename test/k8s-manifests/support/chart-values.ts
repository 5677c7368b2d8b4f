import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { isObject } from './manifest';

/**
 * A chart's default values with each bundled subchart's under its name, the tree `helm install` merges user
 * values into.
 */
export function chartDefaults(chartDir: string): Record<string, unknown> {
  const defaults = (parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) ?? {}) as Record<string, unknown>;
  const subcharts = join(chartDir, 'charts');
  if (existsSync(subcharts)) {
    for (const name of readdirSync(subcharts).sort()) {
      const file = join(subcharts, name, 'values.yaml');
      if (existsSync(file))
        defaults[name] = { ...((parse(readFileSync(file, 'utf8')) ?? {}) as object), ...(isObject(defaults[name]) ? defaults[name] : {}) };
    }
  }
  return defaults;
}

/**
 * Keys of `values` the chart does not define. Helm ignores such keys without a word, so a misspelt
 * `global.logAsJSON` would leave the default in force. Below a default that is empty or not a mapping
 * (`resources: {}`, `nodeSelector: {}`), any key is free-form and accepted.
 */
export function unknownValueKeys(values: unknown, defaults: unknown, path = ''): string[] {
  if (!isObject(values)) return [];
  if (!isObject(defaults) || Object.keys(defaults).length === 0) return [];
  const out: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const keyPath = path ? `${path}.${key}` : key;
    if (!(key in defaults)) out.push(keyPath);
    else out.push(...unknownValueKeys(value, defaults[key], keyPath));
  }
  return out;
}
