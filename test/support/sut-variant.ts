import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { DEFAULT_RUN_ROOT, REPO_ROOT } from '../../harness/paths';

/**
 * A private copy of the reference deployment (system-under-test + dapr-components) that a test breaks on purpose.
 * It lives under the ignored .run/ inside the repository, so the services still resolve node_modules.
 */
export interface SutVariant {
  dir: string;
  runFile: string;
  components: string;
  editYaml(relativeFile: string, edit: (doc: Record<string, unknown>) => void): void;
}

export function sutVariant(): SutVariant {
  const parent = join(DEFAULT_RUN_ROOT, 'fixtures');
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, 'sut-'));
  cpSync(join(REPO_ROOT, 'system-under-test'), join(dir, 'system-under-test'), { recursive: true });
  cpSync(join(REPO_ROOT, 'dapr-components'), join(dir, 'dapr-components'), { recursive: true });
  return {
    dir,
    runFile: join(dir, 'system-under-test', 'dapr.yaml'),
    components: join(dir, 'dapr-components'),
    editYaml(relativeFile, edit) {
      const file = join(dir, relativeFile);
      const doc = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      edit(doc);
      writeFileSync(file, stringify(doc));
    },
  };
}
