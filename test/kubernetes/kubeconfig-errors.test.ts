import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { exitCodeFor } from '../../harness/errors/harness-error';
import { connectCluster } from '../../harness/targets/kubernetes/cluster-connection';
import { openKubernetesTarget } from '../../harness/targets/kubernetes/kubernetes-target';
import { PortAllocator } from '../../harness/targets/local/free-port';
import { kubeconfigYaml, TEST_CONTEXT } from '../support/kube-test-env/kube-test-env';
import { KUBE_START_TIMEOUT_MS, kubeApiServer, stopKubeApiServer } from '../support/kube-api-server';
import { failure } from '../support/harness-failure';

after(stopKubeApiServer);

describe('Kubernetes target: bad kubeconfig, context and cluster are one-line usage errors (exit 2)', function () {
  this.timeout(60_000);
  before(async function () {
    this.timeout(KUBE_START_TIMEOUT_MS);
    await kubeApiServer();
  });
  let dir: string;
  const write = (name: string, text: string): string => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'kubeconfig-tests-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("connects with the test env's kubeconfig and reads the server version", async () => {
    const env = await kubeApiServer();
    const conn = await connectCluster({ kubeconfig: env.kubeconfigPath });
    expect(conn.serverVersion).to.equal(env.version);
    expect(conn.loaded.context).to.equal(TEST_CONTEXT);
  });

  it('a kubeconfig path that does not exist', async () => {
    const missing = join(dir, 'nope', 'config');
    const err = await failure(openKubernetesTarget({ kubeconfig: missing, runId: 'r', runDir: dir }));
    expect(err.code).to.equal('KUBECONFIG_MISSING');
    expect(err.message).to.equal(`kubeconfig ${missing} does not exist`);
    expect(err.hint).to.include('--kubeconfig');
    expect(exitCodeFor(err)).to.equal(2);
    expect(err.oneLine()).not.to.include('\n');
  });

  it('a file that is not a kubeconfig', async () => {
    const file = write('not-yaml', 'clusters: [unclosed\n');
    const err = await failure(connectCluster({ kubeconfig: file }));
    expect(err.code).to.equal('KUBECONFIG_INVALID');
    expect(err.message).to.include(file);
    const other = write('other.yaml', 'hello: world\n');
    const err2 = await failure(connectCluster({ kubeconfig: other }));
    expect(err2.message).to.equal(`${other} is not a kubeconfig (no clusters/contexts lists)`);
    expect(exitCodeFor(err2)).to.equal(2);
  });

  it('an unknown context, naming the contexts there are', async () => {
    const env = await kubeApiServer();
    const err = await failure(openKubernetesTarget({ kubeconfig: env.kubeconfigPath, context: 'prod-east', runId: 'r', runDir: dir }));
    expect(err.code).to.equal('UNKNOWN_CONTEXT');
    expect(err.message).to.equal(`context "prod-east" is not in ${env.kubeconfigPath} (contexts: ${TEST_CONTEXT})`);
    expect(exitCodeFor(err)).to.equal(2);
  });

  it('a context whose cluster the file does not define', async () => {
    const env = await kubeApiServer();
    const text = kubeconfigYaml(env.server, env.caPem, env.token).replace(`cluster: ${TEST_CONTEXT}`, 'cluster: elsewhere');
    const err = await failure(connectCluster({ kubeconfig: write('dangling.yaml', text) }));
    expect(err.code).to.equal('KUBECONFIG_INVALID');
    expect(err.message).to.include('names cluster "elsewhere", which the file does not define');
  });

  it('an unreachable server (a closed loopback port)', async () => {
    const env = await kubeApiServer();
    const closed = await new PortAllocator().next();
    const file = write('closed.yaml', kubeconfigYaml(`https://127.0.0.1:${closed}`, env.caPem, env.token));
    const err = await failure(openKubernetesTarget({ kubeconfig: file, runId: 'r', runDir: dir }));
    expect(err.code).to.equal('CLUSTER_UNREACHABLE');
    expect(err.message).to.equal(
      `cannot reach the Kubernetes API server at https://127.0.0.1:${closed} (context ${TEST_CONTEXT} in ${file}): connection refused`,
    );
    expect(err.hint).to.include(`kubectl --context ${TEST_CONTEXT} cluster-info`);
    expect(exitCodeFor(err)).to.equal(2);
  });

  it('credentials the API server rejects', async () => {
    const env = await kubeApiServer();
    const err = await failure(
      connectCluster({ kubeconfig: write('bad-token.yaml', kubeconfigYaml(env.server, env.caPem, 'expired-token')) }),
    );
    expect(err.code).to.equal('CLUSTER_UNAUTHORIZED');
    expect(err.message).to.include('rejected the credentials (401)');
    expect(exitCodeFor(err)).to.equal(2);
  });

  it("a server certificate the kubeconfig's CA did not sign", async () => {
    const env = await kubeApiServer();
    // Any other CA will do; a self-signed one made here costs less than a second env.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'other.key'),
        '-out',
        join(dir, 'other.crt'),
        '-days',
        '1',
        '-subj',
        '/CN=other-ca',
      ],
      { stdio: 'ignore' },
    );
    const file = write('wrong-ca.yaml', kubeconfigYaml(env.server, readFileSync(join(dir, 'other.crt'), 'utf8'), env.token));
    const err = await failure(connectCluster({ kubeconfig: file }));
    expect(err.code).to.equal('CLUSTER_TLS');
    expect(err.message).to.include(`cannot verify the TLS certificate of the Kubernetes API server at ${env.server}`);
  });

  it('a namespace that does not exist', async () => {
    const env = await kubeApiServer();
    const err = await failure(openKubernetesTarget({ kubeconfig: env.kubeconfigPath, namespace: 'no-such-ns', runId: 'r', runDir: dir }));
    expect(err.code).to.equal('NAMESPACE_NOT_FOUND');
    expect(err.message).to.equal(`namespace no-such-ns does not exist in the cluster at ${env.server}`);
    expect(exitCodeFor(err)).to.equal(2);
  });
});
