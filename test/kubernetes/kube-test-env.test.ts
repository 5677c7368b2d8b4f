import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { HarnessError } from '../../harness/errors/harness-error';
import { kubeBinaries, pinnedKubeVersion } from '../../harness/cluster/kube-binaries';
import { startKubeTestEnv } from '../support/kube-test-env/kube-test-env';
import { KUBE_START_TIMEOUT_MS, kubeApiServer, stopKubeApiServer } from '../support/kube-api-server';

after(stopKubeApiServer);

function get(url: string, ca: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: token ? { authorization: `Bearer ${token}` } : {}, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.once('error', reject);
    req.end();
  });
}

/** Processes whose command line names a test env's temp dir. */
/** The test env processes this mocha process started (another test env on the machine is not ours to count). */
function testEnvProcesses(): Set<string> {
  const out = new Set<string>();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so read after its closing parenthesis.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (cmd.includes('dapr-harness-kube-') && ppid === process.pid) out.add(pid);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

describe('Kubernetes test env: etcd and kube-apiserver built from runtime/kube', function () {
  this.timeout(120_000);
  before(async function () {
    this.timeout(KUBE_START_TIMEOUT_MS);
    await kubeApiServer();
  });

  it('serves the pinned Kubernetes release on loopback, TLS verified against its own CA', async () => {
    const env = await kubeApiServer();
    expect(env.server).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
    const readyz = await get(`${env.server}/readyz`, env.caPem, env.token);
    expect(readyz.status).to.equal(200);
    const version = JSON.parse((await get(`${env.server}/version`, env.caPem, env.token)).body) as { gitVersion: string };
    expect(version.gitVersion).to.equal(pinnedKubeVersion());
    expect(env.version).to.equal(pinnedKubeVersion());
  });

  it('writes a kubeconfig that kubectl accepts', async function () {
    const env = await kubeApiServer();
    let out: string;
    try {
      out = execFileSync('kubectl', ['--kubeconfig', env.kubeconfigPath, 'get', 'namespaces', '-o', 'name'], {
        encoding: 'utf8',
        timeout: 20_000,
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') this.skip();
      throw err;
    }
    expect(out).to.include('namespace/kube-system');
  });

  it('refuses anonymous clients (403) and a wrong token (401)', async () => {
    const env = await kubeApiServer();
    expect((await get(`${env.server}/api/v1/namespaces`, env.caPem)).status).to.equal(403);
    expect((await get(`${env.server}/api/v1/namespaces`, env.caPem, 'not-the-token')).status).to.equal(401);
  });

  it('keeps its binaries in the cache dir named after the release', () => {
    const bins = kubeBinaries();
    expect(bins.dir).to.match(new RegExp(`kube-${pinnedKubeVersion().replace(/\./g, '\\.')}$`));
    expect(existsSync(bins.apiserver) && existsSync(bins.etcd)).to.equal(true);
  });

  it('stops etcd and kube-apiserver and removes its temp dir', async () => {
    await kubeApiServer();
    const before = testEnvProcesses();
    const env = await startKubeTestEnv();
    let during: string[];
    try {
      during = [...testEnvProcesses()].filter((p) => !before.has(p));
    } finally {
      await env.stop();
    }
    expect(during.length, 'etcd and kube-apiserver of the second env').to.equal(2);
    expect([...testEnvProcesses()].filter((p) => !before.has(p))).to.deep.equal([]);
    expect(existsSync(env.dir)).to.equal(false);
  });

  it('leaves nothing running when its start is cancelled', async () => {
    await kubeApiServer();
    const before = testEnvProcesses();
    const dirsBefore = readdirSync(tmpdir());
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled by the test')), 300);
    let error: unknown;
    try {
      const env = await startKubeTestEnv({ signal: controller.signal });
      await env.stop();
    } catch (err) {
      error = err;
    }
    expect((error as Error)?.message).to.equal('cancelled by the test');
    expect([...testEnvProcesses()].filter((p) => !before.has(p))).to.deep.equal([]);
    expect(readdirSync(tmpdir()).filter((d) => d.startsWith('dapr-harness-kube-') && !dirsBefore.includes(d))).to.deep.equal([]);
  });

  it('fails with a hint when the binaries are missing and building is not allowed', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'kube-bins-'));
    const saved = process.env.DAPR_HARNESS_KUBE_DIR;
    process.env.DAPR_HARNESS_KUBE_DIR = empty;
    try {
      await startKubeTestEnv({ build: false });
      expect.fail('started without binaries');
    } catch (err) {
      expect(err).to.be.instanceOf(HarnessError);
      expect((err as HarnessError).code).to.equal('KUBE_BINARIES_MISSING');
      expect((err as HarnessError).message).to.include(empty);
    } finally {
      if (saved === undefined) delete process.env.DAPR_HARNESS_KUBE_DIR;
      else process.env.DAPR_HARNESS_KUBE_DIR = saved;
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
