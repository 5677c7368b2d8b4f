import { expect } from 'chai';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRunTemplate } from './multi-app-run';
import { HarnessError } from '../../errors/harness-error';

function template(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'run-template-'));
  mkdirSync(join(dir, 'app'));
  mkdirSync(join(dir, 'components'));
  writeFileSync(join(dir, 'config.yaml'), 'kind: Configuration\n');
  const file = join(dir, 'dapr.yaml');
  writeFileSync(file, yaml);
  return file;
}

function rejects(yaml: string, pattern: RegExp): void {
  try {
    readRunTemplate(template(yaml));
  } catch (err) {
    expect(err).to.be.instanceOf(HarnessError);
    expect((err as HarnessError).kind).to.equal('usage');
    expect((err as Error).message).to.match(pattern);
    return;
  }
  throw new Error('accepted a broken run file');
}

describe('readRunTemplate (Multi-App Run format)', () => {
  it('resolves common paths against the file and app paths against the app dir; merges env', () => {
    const file = template(`version: 1
common:
  resourcesPath: ./components
  configFilePath: ./config.yaml
  env: { SHARED: "1", OVER: common }
apps:
  - appID: web
    appDirPath: ./app
    appPort: 3000
    env: { OVER: app }
    command: ["node", "main.js"]
    replicas: 2
`);
    const { apps } = readRunTemplate(file);
    const web = apps[0];
    expect(web?.appDir).to.equal(join(file, '..', 'app'));
    expect(web?.resourcesPaths).to.deep.equal([join(file, '..', 'components')]);
    expect(web?.configFile).to.equal(join(file, '..', 'config.yaml'));
    expect(web?.env).to.deep.equal({ SHARED: '1', OVER: 'app' });
    expect(web?.declaredAppPort).to.equal(3000);
    expect(web?.replicas).to.equal(2);
    expect(web?.appProtocol).to.equal('http');
  });

  it('names the line of a YAML syntax error', () => rejects('version: 1\napps:\n  - appID: [x\n', /dapr\.yaml:\d+ is not valid YAML/));
  it('requires version 1', () => rejects('version: 2\napps: []\n', /version: 1/));
  it('requires at least one app', () => rejects('version: 1\napps: []\n', /at least one app/));
  it('rejects an app id that is not a DNS label', () =>
    rejects('version: 1\napps:\n  - appID: Web_App\n    appDirPath: ./app\n    command: [x]\n', /lowercase DNS label/));
  it('rejects a missing app dir', () =>
    rejects('version: 1\napps:\n  - appID: web\n    appDirPath: ./nope\n    command: [x]\n', /not a directory/));
  it('rejects a command that is not a list', () =>
    rejects('version: 1\napps:\n  - appID: web\n    appDirPath: ./app\n    command: node main.js\n', /command must be a non-empty list/));
  it('rejects a missing resources path', () =>
    rejects(
      'version: 1\ncommon:\n  resourcesPath: ./gone\napps:\n  - appID: web\n    appDirPath: ./app\n    command: [x]\n',
      /resources path .* does not exist/,
    ));
  it('rejects a bad replica count', () =>
    rejects(
      'version: 1\napps:\n  - appID: web\n    appDirPath: ./app\n    command: [x]\n    replicas: 0\n',
      /replicas must be a whole number/,
    ));
});
