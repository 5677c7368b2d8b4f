/**
 * `npx tsx test/support/kube-test-env/build-kube-binaries-cli.ts [--force]`: builds (or finds) the
 * kube-apiserver, kube-controller-manager, etcd, kwok and metrics-server the Kubernetes target's tests start, so CI
 * can build them before the tests' timeouts run.
 */
import { createProgress } from '../../../harness/console/progress';
import { exitCodeFor, HarnessError } from '../../../harness/errors/harness-error';
import { buildKubeBinaries } from '../../../harness/cluster/build-kube-binaries';

const progress = createProgress();
try {
  const result = await buildKubeBinaries(progress, { force: process.argv.includes('--force') });
  const b = result.binaries;
  const what = result.built.length > 0 ? `built ${result.built.join(', ')} in ${result.seconds.toFixed(0)} s` : 'already built';
  progress.done(
    `Kubernetes ${b.version} in ${b.dir}, kwok ${b.kwokVersion} and metrics-server ${b.metricsServerVersion} in ${b.nodeSimDir} (${what})`,
  );
} catch (err) {
  progress.done();
  process.stderr.write(`error ${err instanceof HarnessError ? err.oneLine() : String(err)}\n`);
  process.exitCode = exitCodeFor(err);
}
