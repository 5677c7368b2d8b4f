import { buildRuntime, binaryVersion } from '../../runtime/build-runtime';
import { createProgress } from '../../console/progress';

/** Builds daprd and sentry from Dapr's module into the cache (once) and prints what the binaries report. */
export async function runtimeCommand(opts: { force?: boolean }): Promise<number> {
  const progress = createProgress();
  const result = await buildRuntime(progress, { force: opts.force });
  progress.done(
    result.built
      ? `built Dapr ${result.binaries.version} in ${result.seconds.toFixed(0)}s`
      : `Dapr ${result.binaries.version} already built (cached)`,
  );
  process.stdout.write(`daprd  ${binaryVersion(result.binaries.daprd)}  ${result.binaries.daprd}\n`);
  process.stdout.write(`sentry ${result.binaries.sentry}\n`);
  return 0;
}
