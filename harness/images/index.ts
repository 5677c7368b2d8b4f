/** Container images written without a registry and imported straight into containerd. */
export type { ImageArchive, ImageConfig, ImageEntry, ImageLayer, ImageSpec } from './image-spec';
export { writeImage } from './write-image';
export { PAUSE_IMAGE_REF, ensurePauseImage } from './pause-image';
export { ensureReferenceImages } from './reference-images';
export { importImageArchives, type ImportOptions } from './import-images';
