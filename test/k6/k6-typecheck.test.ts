import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { K6_DIR, k6Scripts } from './support/k6-paths';

/**
 * Type-checks load/k6 the way its tsconfig says: against @types/k6 and the ES library only, with no Node types,
 * so a script that leans on anything k6 does not provide fails here instead of at `k6 run`.
 */
function typecheck(extra?: { file: string; text: string }): { problems: string[]; files: string[] } {
  const configFile = join(K6_DIR, 'tsconfig.json');
  const read = ts.readConfigFile(configFile, ts.sys.readFile);
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, K6_DIR, undefined, configFile);
  const host = ts.createCompilerHost(parsed.options);
  if (extra) {
    const { getSourceFile, fileExists, readFile } = host;
    host.fileExists = (f) => f === extra.file || fileExists(f);
    host.readFile = (f) => (f === extra.file ? extra.text : readFile(f));
    host.getSourceFile = (f, lang, ...rest) =>
      f === extra.file ? ts.createSourceFile(f, extra.text, lang) : getSourceFile(f, lang, ...rest);
  }
  const program = ts.createProgram({
    rootNames: [...parsed.fileNames, ...(extra ? [extra.file] : [])],
    options: parsed.options,
    host,
    configFileParsingDiagnostics: parsed.errors,
  });
  const problems = ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, ' ');
    if (!d.file || d.start === undefined) return text;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${d.file.fileName.replace(`${K6_DIR}/`, 'load/k6/')}:${line + 1}:${character + 1} ${text}`;
  });
  return { problems, files: program.getSourceFiles().map((f) => f.fileName) };
}

describe('k6 scripts: type check against @types/k6', function () {
  this.timeout(60_000);

  it('every script in load/k6 type-checks with no error', function () {
    const { problems, files } = typecheck();
    expect(problems, problems.join('\n')).to.deep.equal([]);
    for (const script of k6Scripts()) expect(files, `${script} is part of the check`).to.include(join(K6_DIR, script));
  });

  it('sees k6 and nothing of Node: no @types/node, no DOM library', function () {
    const { files } = typecheck();
    expect(files.some((f) => f.includes('/@types/k6/'))).to.equal(true);
    expect(files.filter((f) => f.includes('/@types/node/'))).to.deep.equal([]);
    expect(files.filter((f) => /lib\.dom\.d\.ts$/.test(f))).to.deep.equal([]);
  });

  it('fails a script that uses a Node API k6 does not have', function () {
    const source = readFileSync(join(K6_DIR, 'settings.ts'), 'utf8');
    const text = source.replace('const value = __ENV[name];', 'const value = process.env[name];');
    expect(text, 'the doctoring applies').to.not.equal(source);
    const { problems } = typecheck({ file: join(K6_DIR, 'doctored-node-api.ts'), text });
    expect(problems.join('\n')).to.match(/doctored-node-api\.ts:\d+:\d+ Cannot find name 'process'/);
  });

  it('fails a script that passes k6 a request parameter it does not know', function () {
    const source = readFileSync(join(K6_DIR, 'pubsub.ts'), 'utf8');
    const text = source.replace(
      "responseType: 'none',\n    tags: { name: 'publish' },",
      "responseType: 'none',\n    tag: { name: 'publish' },",
    );
    expect(text, 'the doctoring applies').to.not.equal(source);
    const { problems } = typecheck({ file: join(K6_DIR, 'doctored-param.ts'), text });
    expect(problems.join('\n')).to.match(/doctored-param\.ts:\d+:\d+ .*'tag' does not exist/);
  });
});
