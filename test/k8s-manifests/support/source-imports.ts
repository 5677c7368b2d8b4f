import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

export interface SourceImport {
  file: string;
  specifier: string;
}

/** Every import of the TypeScript sources under `dir`, tests left out (the image does not ship them). */
export function sourceImports(dir: string): SourceImport[] {
  const out: SourceImport[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, e.name);
      if (e.isDirectory() && e.name !== 'node_modules') walk(path);
      else if (e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) {
        const text = readFileSync(path, 'utf8');
        for (const m of text.matchAll(
          /(?:^|[^\w.])(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|(?:^|[^\w.])import\s*\(?\s*['"]([^'"]+)['"]/gm,
        )) {
          out.push({ file: path, specifier: (m[1] ?? m[2]) as string });
        }
      }
    }
  };
  walk(dir);
  return out;
}

/**
 * Imports a production image of `dir` cannot satisfy: packages outside package.json "dependencies" (npm ci
 * --omit=dev leaves them out) and relative imports reaching outside `dir` (only it is copied).
 */
export function unshippableImports(dir: string, dependencies: string[]): string[] {
  const builtins = new Set(builtinModules);
  const issues: string[] = [];
  for (const { file, specifier } of sourceImports(dir)) {
    const where = relative(resolve(dir, '..'), file);
    if (specifier.startsWith('.')) {
      const target = resolve(dirname(file), specifier);
      if (relative(dir, target).startsWith('..'))
        issues.push(`${where}: imports ${specifier}, outside ${relative(resolve(dir, '..'), dir)}/`);
      continue;
    }
    if (specifier.startsWith('node:') || builtins.has(specifier)) continue;
    const pkg = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] as string);
    if (!dependencies.includes(pkg)) issues.push(`${where}: imports ${pkg}, which is not in package.json "dependencies"`);
  }
  return issues;
}
