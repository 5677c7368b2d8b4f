import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { silentProgress } from '../../harness/console/progress';
import { importImageArchives, normalizeImageRef } from '../../harness/images/import-images';
import {
  natsImageRef,
  redisImageRef,
  appsImageRef,
  daprImageRefs,
  harnessImageRef,
  natsBoxImageRef,
} from '../../harness/images/image-refs';
import type { ImageSpec } from '../../harness/images/image-spec';
import {
  appsImageSpec,
  daprImageSpec,
  harnessImageSpec,
  natsBoxImageSpec,
  natsImageSpec,
  redisImageSpec,
} from '../../harness/images/reference-images';
import { REPO_ROOT } from '../../harness/paths';
import { join } from 'node:path';
import { parse } from 'yaml';
import { writeImage } from '../../harness/images/write-image';
import { pinnedDaprVersion } from '../../harness/runtime/runtime-binaries';
import { poll } from '../../harness/process/wait/poll';
import { PortAllocator } from '../../harness/targets/local/free-port';
import { requireCommand } from '../../harness/process/required-commands';
import { startThrowawayContainerd, type ThrowawayContainerd } from '../support/throwaway-containerd';

const NS = 'k8s.io';

/**
 * The reference deployment's images, run as containers by a containerd of the test's own (host network, so the
 * test reaches them on loopback): each starts as its Dockerfile's image would, as the user its manifests expect.
 */
describe('images: the reference deployment images run', function () {
  this.timeout(1_800_000);
  let containerd: ThrowawayContainerd;
  const ports = new PortAllocator();
  const tasks: string[] = [];

  before(async function () {
    for (const cmd of ['containerd', 'ctr', 'runc']) requireCommand(cmd, '`apt-get install containerd runc` (or `npm run setup` as root)');
    containerd = await startThrowawayContainerd();
  });

  afterEach(async function () {
    for (const id of tasks.splice(0)) {
      await containerd.ctr(NS, 'tasks', 'kill', '--signal', 'SIGKILL', id).catch(() => undefined);
      await poll(
        'the task to stop',
        async () =>
          !(await containerd.ctr(NS, 'tasks', 'list')).includes(`${id} `) || /STOPPED/.test(await containerd.ctr(NS, 'tasks', 'list')),
        {
          timeoutMs: 20_000,
        },
      ).catch(() => undefined);
      await containerd.ctr(NS, 'tasks', 'delete', '--force', id).catch(() => undefined);
      await containerd.ctr(NS, 'containers', 'delete', id).catch(() => undefined);
    }
  });

  after(async function () {
    await containerd?.stop();
  });

  async function imported(spec: ImageSpec): Promise<void> {
    const archive = await writeImage(spec, silentProgress);
    await importImageArchives([archive], { ctrPath: 'ctr', containerdAddress: containerd.address });
  }

  /** Runs `ref` to completion; resolves with its output, rejects with it on a non-zero exit. */
  async function runOnce(ref: string, id: string, args: string[] = [], env: string[] = []): Promise<string> {
    return containerd.ctr(NS, 'run', '--rm', '--net-host', ...env.flatMap((e) => ['--env', e]), normalizeImageRef(ref), id, ...args);
  }

  async function runDetached(ref: string, id: string, args: string[] = [], env: string[] = []): Promise<number> {
    tasks.push(id);
    await containerd.ctr(NS, 'run', '--detach', '--net-host', ...env.flatMap((e) => ['--env', e]), normalizeImageRef(ref), id, ...args);
    const row = await poll(`task ${id} to run`, async () =>
      (await containerd.ctr(NS, 'tasks', 'list')).split('\n').find((l) => l.startsWith(`${id} `) && /RUNNING/.test(l)),
    );
    return Number(row.split(/\s+/)[1]);
  }

  /** The NATS image with JetStream on loopback ports of the test's choosing. */
  async function startNats(id: string): Promise<{ port: number; monitor: number }> {
    await imported(natsImageSpec());
    const [port, monitor] = [await ports.next(), await ports.next()];
    const args = ['--jetstream', '--store_dir', '/data', '-a', '127.0.0.1', '-p', String(port), '-m', String(monitor)];
    await runDetached(natsImageRef(), id, ['/usr/sbin/nats-server', ...args]);
    return { port, monitor };
  }

  function uidOf(pid: number): number {
    return Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  }

  it('the reference apps image serves a service chosen by SERVICE, as user node, and names the choices on a bad one', async function () {
    await imported(await appsImageSpec(silentProgress));
    const port = await ports.next();
    const pid = await runDetached(
      appsImageRef(),
      'sample-app',
      [],
      ['SERVICE=sample-app', `APP_PORT=${port}`, 'APP_HOST=127.0.0.1', 'APP_ID=sample-app'],
    );
    await poll('sample-app to answer /healthz', async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, {
      timeoutMs: 120_000,
      intervalMs: 500,
    });
    expect(uidOf(pid), 'runs as the node user').to.equal(1000);

    const err = await runOnce(appsImageRef(), 'bad-service', [], ['SERVICE=no-such-service']).catch(
      (e: { stderr?: string; code?: number }) => e,
    );
    expect(String((err as { stderr?: string }).stderr)).to.match(
      /SERVICE=no-such-service: no services\/no-such-service\/main.ts in this image · set SERVICE to one of: .*sample-app/,
    );
  });

  it('the harness image runs the CLI', async function () {
    await imported(await harnessImageSpec(silentProgress));
    // The image's own entrypoint and command: out of a cluster, the CLI refuses with its one-line usage error.
    // Every module the CLI loads (the suite runner's mocha and chai included) must be in the image to get that far.
    const err = (await runOnce(harnessImageRef(), 'harness-default').then(
      () => ({ code: 0, stderr: '' }),
      (e: { code?: number; stderr?: string }) => e,
    )) as { code?: number; stderr?: string };
    expect(err.stderr).to.match(/^error NO_KUBECONFIG: /);
    expect(err.code).to.equal(2);
  });

  it('the Redis image answers PING', async function () {
    await imported(redisImageSpec());
    const port = await ports.next();
    const pid = await runDetached(redisImageRef(), 'redis', [
      '/usr/bin/redis-server',
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--dir',
      '/data',
    ]);
    const reply = await poll('redis to answer PING', () => ask(port, 'PING\r\n'), { timeoutMs: 30_000 });
    expect(reply).to.equal('+PONG\r\n');
    expect(uidOf(pid)).to.not.equal(0);
  });

  it('the NATS image serves JetStream', async function () {
    const { monitor } = await startNats('nats');
    const jsz = await poll(
      'nats to serve /jsz',
      async () => {
        const res = await fetch(`http://127.0.0.1:${monitor}/jsz`);
        return res.ok ? ((await res.json()) as { config?: { store_dir?: string } }) : false;
      },
      { timeoutMs: 30_000 },
    );
    expect(jsz.config?.store_dir).to.contain('/data');
  });

  it("the nats-box image runs the JetStream stream Job's own script against the NATS image", async function () {
    await imported(natsBoxImageSpec());
    const { port } = await startNats('nats-for-job');
    const job = parse(readFileSync(join(REPO_ROOT, 'k8s/dapr-system/jetstream-stream-job.yaml'), 'utf8')) as {
      spec: { template: { spec: { containers: { command: string[]; args: string[]; env: { name: string; value?: string }[] }[] } } };
    };
    const container = job.spec.template.spec.containers[0]!;
    const env = container.env
      .filter((e) => e.value !== undefined)
      .map((e) => (e.name === 'NATS_URL' ? `NATS_URL=nats://127.0.0.1:${port}` : `${e.name}=${e.value}`));
    const out = await runOnce(natsBoxImageRef(), 'stream-job', [...container.command, ...container.args], env);
    expect(out).to.match(/Information for Stream tasks/);
  });

  it('the Dapr image carries every binary the chart runs at the path it runs it from, as non-root, reporting the pinned release', async function () {
    await imported(await daprImageSpec(silentProgress));
    const version = pinnedDaprVersion().replace(/^v/, '');
    const refs = daprImageRefs(pinnedDaprVersion());
    const refOf = (name: string): string => refs.find((r) => r.endsWith(`/${name}:${version}`))!;
    const names = (await containerd.ctr(NS, 'images', 'list', '--quiet')).split('\n');
    expect(names).to.include.members(refs);
    expect((await runOnce(refOf('daprd'), 'daprd-version', ['/daprd', '--version'])).trim()).to.equal(version);
    for (const binary of ['injector', 'operator', 'scheduler', 'sentry']) {
      // Each prints its flags on --help (to stderr); a missing or non-executable binary fails the run instead.
      const help = await runOnce(refOf(binary), `${binary}-help`, [`/${binary}`, '--help']).catch(
        (e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ''}${e.stderr ?? ''}`,
      );
      expect(help, binary).to.not.match(/executable file not found|no such file/);
    }
    const [port, healthz, metrics] = [await ports.next(), await ports.next(), await ports.next()];
    const pid = await runDetached(refOf('placement'), 'placement', [
      '/placement',
      '--port',
      String(port),
      '--healthz-port',
      String(healthz),
      '--metrics-port',
      String(metrics),
      '--tls-enabled=false',
    ]);
    await poll('placement to answer /healthz', async () => (await fetch(`http://127.0.0.1:${healthz}/healthz`)).ok, {
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    expect(uidOf(pid), 'the chart runs Dapr as non-root').to.equal(65532);
    const metricsText = await (await fetch(`http://127.0.0.1:${metrics}/`)).text();
    expect(metricsText).to.match(/dapr_placement/);
  });
});

/** Sends one line to a TCP server on loopback and resolves with the first reply. */
function ask(port: number, line: string): Promise<string | false> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write(line));
    socket.setTimeout(2000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('data', (data) => {
      socket.end();
      resolve(data.toString('utf8'));
    });
    socket.once('error', () => resolve(false));
  });
}
