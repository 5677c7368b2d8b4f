import { expect } from 'chai';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadResources } from './dapr-resources';
import { jetStreamStreams, needsNats, needsRedis, renderConfiguration, renderResources } from './render-resources';

function resourcesDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'resources-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const redis = `apiVersion: dapr.io/v1alpha1
kind: Component
metadata: { name: statestore }
spec:
  type: state.redis
  version: v1
  metadata:
    - name: redisHost
      value: redis.cluster:6379
    - name: redisPassword
      secretKeyRef: { name: redis, key: password }
`;
const jetstream = `apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: pubsub
  annotations: { dapr-harness.io/jetstream-subjects: "task.>, harness.>" }
spec:
  type: pubsub.jetstream
  version: v1
  metadata:
    - { name: natsURL, value: "nats://nats.cluster:4222" }
    - { name: streamName, value: tasks }
`;

describe('rendering Dapr resources for a local run', () => {
  it("points redis and JetStream components at this run's servers and drops secret references", () => {
    const resources = loadResources([resourcesDir({ 'statestore.yaml': redis, 'pubsub.yaml': jetstream, 'notes.txt': 'ignored' })]);
    expect(needsRedis(resources)).to.equal(true);
    expect(needsNats(resources)).to.equal(true);
    const out = mkdtempSync(join(tmpdir(), 'rendered-'));
    renderResources(resources, out, { redisAddress: '127.0.0.1:4001', natsUrl: 'nats://127.0.0.1:4002', nameResolutionDb: '/x.db' });
    expect(readdirSync(out).sort()).to.deep.equal(['component-pubsub.yaml', 'component-statestore.yaml']);
    const state = parse(readFileSync(join(out, 'component-statestore.yaml'), 'utf8')) as {
      spec: { metadata: { name: string; value?: string; secretKeyRef?: unknown }[] };
    };
    expect(state.spec.metadata).to.deep.include({ name: 'redisHost', value: '127.0.0.1:4001' });
    expect(state.spec.metadata).to.deep.include({ name: 'redisPassword', value: '' });
    const pubsub = readFileSync(join(out, 'component-pubsub.yaml'), 'utf8');
    expect(pubsub).to.contain('nats://127.0.0.1:4002').and.not.to.contain('nats.cluster');
  });

  it('reads the JetStream streams to create from streamName and the subjects annotation', () => {
    const resources = loadResources([resourcesDir({ 'pubsub.yaml': jetstream })]);
    expect(jetStreamStreams(resources)).to.deep.equal([{ name: 'tasks', subjects: ['task.>', 'harness.>'] }]);
  });

  it('sets sqlite name resolution in the Configuration and reads whether mTLS is on', () => {
    const dir = resourcesDir({
      'config.yaml': 'apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata: { name: c }\nspec:\n  mtls: { enabled: false }\n',
    });
    const out = mkdtempSync(join(tmpdir(), 'config-'));
    const rendered = renderConfiguration(join(dir, 'config.yaml'), out, { nameResolutionDb: '/run/nr.db' });
    expect(rendered.mtlsEnabled).to.equal(false);
    const doc = parse(readFileSync(rendered.file, 'utf8')) as {
      spec: { nameResolution: { component: string; configuration: { connectionString: string } } };
    };
    expect(doc.spec.nameResolution.component).to.equal('sqlite');
    expect(doc.spec.nameResolution.configuration.connectionString).to.equal('/run/nr.db');
    expect(renderConfiguration(undefined, out, { nameResolutionDb: '/run/nr.db' }).mtlsEnabled).to.equal(true);
  });

  it('rejects a resource of an unknown kind, naming the file', () => {
    const dir = resourcesDir({ 'odd.yaml': 'apiVersion: dapr.io/v1alpha1\nkind: Compnent\nmetadata: { name: x }\nspec: {}\n' });
    expect(() => loadResources([dir])).to.throw(/odd\.yaml: kind must be one of/);
  });

  it('rejects metadata that is not a list of named items', () => {
    const dir = resourcesDir({
      'm.yaml':
        'apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: { name: x }\nspec:\n  type: state.redis\n  version: v1\n  metadata: { redisHost: x }\n',
    });
    expect(() => loadResources([dir])).to.throw(/m\.yaml: spec\.metadata must be a list/);
  });
});

describe('JetStream streams from the streams annotation', () => {
  it('creates every named stream with its subjects', () => {
    const dir = resourcesDir({
      'pubsub.yaml': `apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: pubsub
  annotations: { dapr-harness.io/jetstream-streams: "tasks=task.created,task.updated; deadletters=task.deadletter" }
spec:
  type: pubsub.jetstream
  version: v1
  metadata: []
`,
    });
    expect(jetStreamStreams(loadResources([dir]))).to.deep.equal([
      { name: 'tasks', subjects: ['task.created', 'task.updated'] },
      { name: 'deadletters', subjects: ['task.deadletter'] },
    ]);
  });

  it('rejects a malformed streams annotation, naming the file', () => {
    const dir = resourcesDir({
      'pubsub.yaml':
        'apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: pubsub\n  annotations: { dapr-harness.io/jetstream-streams: "just-subjects" }\nspec:\n  type: pubsub.jetstream\n  version: v1\n',
    });
    expect(() => jetStreamStreams(loadResources([dir]))).to.throw(/pubsub\.yaml: annotation dapr-harness\.io\/jetstream-streams/);
  });
});
