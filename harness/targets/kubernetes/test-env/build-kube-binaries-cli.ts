/**
 * `npx tsx harness/targets/kubernetes/test-env/build-kube-binaries-cli.ts [--force]`: builds (or finds) the
 * kube-apiserver and etcd the Kubernetes target's tests start, so CI can build them before the tests' timeouts run.
 */
import { createProgress } from '../../../cli/progress';
import { exitCodeFor, HarnessError } from '../../../errors/harness-error';
import { buildKubeBinaries } from './build-kube-binaries';

const progress = createProgress();
try {
  const result = await buildKubeBinaries(progress, { force: process.argv.includes('--force') });
  progress.done(`kube-apiserver and etcd ${result.binaries.version} in ${result.binaries.dir} (${result.built ? `built in ${result.seconds.toFixed(0)} s` : 'already built'})`);
} catch (err) {
  progress.done();
  process.stderr.write(`error ${err instanceof HarnessError ? err.oneLine() : String(err)}\n`);
  process.exitCode = exitCodeFor(err);
}
