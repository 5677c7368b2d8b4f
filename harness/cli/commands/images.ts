import { statSync } from 'node:fs';
import { createProgress } from '../../console/progress';
import { ensureHelm } from '../../helm/helm-binary';
import { ensurePauseImage, ensureReferenceImages } from '../../images/index';

/**
 * Builds what a cluster without a registry needs from this machine, once: the Dapr control plane, the images
 * (pause, Dapr, reference apps, harness, Redis, NATS, nats-box) as docker archives, and helm. Prints each archive.
 */
export async function imagesCommand(): Promise<number> {
  const progress = createProgress();
  const started = Date.now();
  const archives = [await ensurePauseImage(progress), ...(await ensureReferenceImages(progress))];
  const helm = await ensureHelm(progress);
  progress.done(`images and helm ready in ${((Date.now() - started) / 1000).toFixed(0)}s`);
  for (const archive of archives) {
    const mb = (statSync(archive.archivePath).size / 2 ** 20).toFixed(1);
    process.stdout.write(`${mb.padStart(7)} MiB  ${archive.refs.join(', ')}  ${archive.archivePath}\n`);
  }
  process.stdout.write(`helm  ${helm}\n`);
  return 0;
}
