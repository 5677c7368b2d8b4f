import type { Progress } from '../console/progress';
import { runtimeError } from '../errors/harness-error';
import type { ImageArchive } from './image-spec';

/** The images the reference deployment runs on a cluster: Dapr, the reference apps, Redis, NATS, the harness. */
export async function ensureReferenceImages(progress: Progress): Promise<ImageArchive[]> {
  progress.update('reference images');
  throw runtimeError('IMAGES_NOT_AVAILABLE', 'the reference images are not written yet', 'use ensurePauseImage and writeImage meanwhile');
}
