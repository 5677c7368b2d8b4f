import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { loadResources, metadataValue, type DaprResource } from '../../harness/targets/local/dapr-resources';
import { PortAllocator } from '../../harness/targets/local/free-port';
import { natsServer, type StreamSpec } from '../../harness/targets/local/nats-server';
import { jetStreamStreams } from '../../harness/targets/local/render-resources';
import { requireCommand } from '../../harness/process/required-commands';
import type { ManagedProcess } from '../../harness/process/managed-process';
import { REPO_ROOT, type Manifest } from './support/manifest';
import { natsCli } from '../../harness/images/natscli';
import { renderKustomization } from './support/render-kustomization';

interface JobContainer {
  image: string;
  command: string[];
  args: string[];
  env: { name: string; value?: string }[];
}

const SCRIPT_TIMEOUT_MS = 60_000;

/**
 * The stream-creation Job of k8s/dapr-system, its script run as the Job runs it (sh -ec, the Job's environment,
 * the nats CLI of its image) against a real nats-server of our own on loopback.
 */
describe('k8s manifests: JetStream stream Job', function () {
  this.timeout(120_000);
  let pubsub: DaprResource | undefined;
  let wanted: StreamSpec[] = [];
  let container: JobContainer;
  let env: Record<string, string>;
  let nats: ManagedProcess | undefined;
  let natsUrl: string;
  let nc: NatsConnection | undefined;
  let cliDir: string;
  const workDir = mkdtempSync(join(tmpdir(), 'k8s-stream-job-'));

  before(async function () {
    // Building the nats CLI the first time takes a minute or two; later runs find it in the harness cache.
    this.timeout(660_000);
    const components = loadResources([join(REPO_ROOT, 'dapr-components')]);
    pubsub = components.find((c) => (c.body.spec as { type?: string }).type === 'pubsub.jetstream');
    wanted = jetStreamStreams(components);
    const job = renderKustomization(join(REPO_ROOT, 'k8s/dapr-system')).find((m: Manifest) => m.kind === 'Job');
    if (!job) throw new Error('k8s/dapr-system renders no Job');
    container = (job.spec as { template: { spec: { containers: JobContainer[] } } }).template.spec.containers[0] as JobContainer;
    env = Object.fromEntries(container.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string]));
    cliDir = dirname(natsCli());
    const ports = new PortAllocator();
    const port = await ports.next();
    nats = natsServer({
      binary: requireCommand('nats-server', '`npm run setup` (as root) or `apt-get install nats-server`'),
      port,
      monitorPort: await ports.next(),
      storeDir: join(workDir, 'jetstream'),
      logDir: workDir,
      env: {},
    });
    await nats.start();
    natsUrl = `nats://127.0.0.1:${port}`;
    nc = await connect({ servers: natsUrl, timeout: 5000 });
  });

  after(async function () {
    await nc?.close();
    await nats?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  /** Runs the Job's script with its environment, pointed at our server. */
  function runJob(overrides: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve, reject) => {
      const [shell, ...shellArgs] = container.command;
      const child = spawn(shell as string, [...shellArgs, ...container.args], {
        env: {
          PATH: `${cliDir}:${process.env.PATH ?? ''}`,
          ...env,
          NATS_URL: natsUrl,
          HOME: workDir,
          XDG_CONFIG_HOME: join(workDir, '.config'),
          ...overrides,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: SCRIPT_TIMEOUT_MS,
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, output }));
    });
  }

  async function streamConfig(name: string): Promise<{ subjects: string[]; storage: string; max_bytes: number; messages: number }> {
    const jsm = await (nc as NatsConnection).jetstreamManager();
    const info = await jsm.streams.info(name);
    return {
      subjects: info.config.subjects ?? [],
      storage: String(info.config.storage),
      max_bytes: info.config.max_bytes,
      messages: info.state.messages,
    };
  }

  const jobStreams = (): StreamSpec[] =>
    (env.STREAMS ?? '')
      .split(';')
      .filter(Boolean)
      .map((part) => {
        const [name, subjects] = part.split('=') as [string, string];
        return { name, subjects: subjects.split(',') };
      });

  it('names the streams, subjects and server of the pub/sub component', function () {
    expect(wanted.length, 'a pubsub.jetstream component declaring its streams').to.be.greaterThan(0);
    expect(jobStreams()).to.deep.equal(wanted);
    expect(env.NATS_URL).to.equal(pubsub && metadataValue(pubsub, 'natsURL'));
    expect(container.image).to.match(/^natsio\/nats-box:\d+\.\d+\.\d+$/);
  });

  it('creates every stream on file storage with the component subjects', async function () {
    const { code, output } = await runJob();
    expect(code, output).to.equal(0);
    for (const stream of wanted) {
      const config = await streamConfig(stream.name);
      expect(config.subjects, stream.name).to.deep.equal(stream.subjects);
      expect(config.storage).to.equal('file');
      expect(config.max_bytes).to.be.greaterThan(0);
    }
  });

  it('brings an existing stream back to the component subjects, keeping its messages', async function () {
    const name = wanted[0]?.name as string;
    const jsm = await (nc as NatsConnection).jetstreamManager();
    await jsm.streams.update(name, { subjects: ['elsewhere.>'] });
    await (nc as NatsConnection).jetstream().publish('elsewhere.kept', new TextEncoder().encode('kept'));
    const { code, output } = await runJob();
    expect(code, output).to.equal(0);
    const config = await streamConfig(name);
    expect(config.subjects).to.deep.equal(wanted[0]?.subjects);
    expect(config.messages).to.equal(1);
  });

  it('fails, saying why, when JetStream cannot be reached', async function () {
    const closed = await new PortAllocator().next();
    const { code, output } = await runJob({ NATS_URL: `nats://127.0.0.1:${closed}`, NATS_WAIT_ATTEMPTS: '1' });
    expect(code).to.not.equal(0);
    expect(output).to.match(/JetStream at nats:\/\/127\.0\.0\.1:\d+ not reachable after 1 attempts/);
  });

  it('fails when the subjects it is given are not valid', async function () {
    const { code } = await runJob({ STREAMS: 'broken=task.>.more' });
    expect(code).to.not.equal(0);
  });
});
