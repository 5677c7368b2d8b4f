import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { PortAllocator } from '../../harness/targets/local/free-port';
import { kubeconfigYaml, TEST_CONTEXT } from '../support/kube-test-env/kube-test-env';
import { runCli, type CliResult } from '../support/cli';
import { KUBE_START_TIMEOUT_MS, kubeApiServer, stopKubeApiServer } from '../support/kube-api-server';

after(stopKubeApiServer);

/** The lines a failed run ends with: everything before is progress, the error is the one line that starts with "error". */
function errorLines(result: CliResult): string[] {
  return result.stderr.split('\n').filter((l) => l.startsWith('error'));
}

describe('CLI: acceptance --target kubernetes with a kubeconfig that cannot be used exits 2 with one line', function () {
  this.timeout(120_000);
  before(async function () {
    this.timeout(KUBE_START_TIMEOUT_MS);
    await kubeApiServer();
  });
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'kubeconfig-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const acceptance = (kubeconfig: string): Promise<CliResult> =>
    runCli(['acceptance', '--target', 'kubernetes', '--kubeconfig', kubeconfig, '--out', join(dir, 'run')], { timeoutMs: 60_000 });

  it('an unreachable API server (a closed loopback port)', async () => {
    const env = await kubeApiServer();
    const closed = await new PortAllocator().next();
    const file = join(dir, 'closed.yaml');
    writeFileSync(file, kubeconfigYaml(`https://127.0.0.1:${closed}`, env.caPem, env.token));
    const result = await acceptance(file);
    expect(result.code, result.stderr).to.equal(2);
    expect(errorLines(result)).to.deep.equal([
      `error CLUSTER_UNREACHABLE: cannot reach the Kubernetes API server at https://127.0.0.1:${closed} (context ${TEST_CONTEXT} in ${file}): connection refused · start the cluster or fix the server address in the kubeconfig, then check with \`kubectl --context ${TEST_CONTEXT} cluster-info\``,
    ]);
    expect(result.stderr).not.to.match(/^\s+at /m);
  });

  it('credentials the API server rejects (a token it does not know)', async () => {
    const env = await kubeApiServer();
    const file = join(dir, 'bad-token.yaml');
    writeFileSync(file, kubeconfigYaml(env.server, env.caPem, 'not-a-token-it-knows'));
    const result = await acceptance(file);
    expect(result.code, result.stderr).to.equal(2);
    expect(errorLines(result)).to.deep.equal([
      `error CLUSTER_UNAUTHORIZED: the Kubernetes API server at ${env.server} (context ${TEST_CONTEXT} in ${file}) rejected the credentials (401) · refresh the context's credentials (log in again) and check with \`kubectl --context ${TEST_CONTEXT} cluster-info\``,
    ]);
    expect(result.stderr).not.to.include('not-a-token-it-knows');
    expect(result.stderr).not.to.match(/^\s+at /m);
  });

  it('the right token gets past the connection; what the cluster lacks is a failed run (exit 1), not bad input', async () => {
    const env = await kubeApiServer();
    const result = await acceptance(env.kubeconfigPath);
    expect(result.code, result.stderr).to.equal(1);
    const lines = errorLines(result);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^error DAPR_(PREFLIGHT|INJECTION)_FAILED: /);
  });
});
