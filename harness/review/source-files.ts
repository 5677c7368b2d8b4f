import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { YamlNode } from './yaml-node';

/** A problem that stops a file from being reviewed at all: the review cannot vouch for what it did not read. */
export interface ReviewError {
  file: string;
  line: number;
  message: string;
}

export interface SourceDocument {
  /** The file as the user knows it: relative to the working directory when inside it, with forward slashes. */
  file: string;
  /** 0-based position of the document in a multi-document file. */
  index: number;
  root: YamlNode;
}

export interface SourceFile {
  file: string;
  text: string;
  documents: SourceDocument[];
}

const YAML_FILE = /\.ya?ml$/i;
/** Folders that hold nobody's deployment. */
const SKIPPED_DIRS = new Set(['node_modules', '.git', '.run']);

export function displayPath(path: string, cwd = process.cwd()): string {
  const abs = resolve(cwd, path);
  const rel = relative(cwd, abs);
  const shown = rel === '' || rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
  return shown.split(sep).join('/');
}

/**
 * The YAML files under each path: a file named on the command line is read whatever its extension; a folder
 * contributes its *.yaml / *.yml files, recursively, in a stable order.
 */
export function collectYamlFiles(paths: string[]): { files: string[]; errors: ReviewError[] } {
  const files: string[] = [];
  const errors: ReviewError[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('.')) walk(full);
      } else if (entry.isFile() && YAML_FILE.test(entry.name)) {
        files.push(full);
      }
    }
  };
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      errors.push({ file: displayPath(p), line: 0, message: 'no such file or folder' });
      continue;
    }
    if (isDir) walk(p);
    else files.push(p);
  }
  return { files: [...new Set(files)], errors };
}

/** Parses every document of a YAML file, keeping positions; the first syntax error makes the whole file an error. */
export function parseSourceFile(path: string, text: string): SourceFile | ReviewError {
  const file = displayPath(path);
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [];
  for (const doc of list) {
    const err = doc.errors[0];
    if (err) return { file, line: lines.linePos(err.pos[0]).line, message: `not valid YAML: ${err.message.split('\n')[0]}` };
  }
  const documents = list
    .filter((doc) => doc.contents !== null)
    .map((doc, index): SourceDocument => ({ file, index, root: new YamlNode(doc.contents, lines, doc.contents?.range?.[0] ?? 0) }));
  return { file, text, documents };
}

export function readSourceFile(path: string): SourceFile | ReviewError {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return {
      file: displayPath(path),
      line: 0,
      message: `cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    };
  }
  return parseSourceFile(path, text);
}

export function isReviewError(x: SourceFile | ReviewError): x is ReviewError {
  return 'message' in x;
}
