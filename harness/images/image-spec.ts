/**
 * What an image is made of, as the image writer (runtime/images) reads it. Each entry puts one thing at `target`:
 * a host file or directory (`source`), an empty directory (`dir`), a symlink or inline `content`. Parent
 * directories nobody named are created root-owned 0755. `mode` overrides the host mode of a file or of the
 * directory itself; `uid`/`gid` own everything the entry adds (default root).
 */
export interface ImageEntry {
  target: string;
  source?: string;
  dir?: boolean;
  symlink?: string;
  content?: string;
  mode?: number;
  uid?: number;
  gid?: number;
}

export interface ImageLayer {
  entries: ImageEntry[];
}

/** The parts of the OCI image config a container runtime reads. */
export interface ImageConfig {
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  /** `65532` or `65532:65532`: Dapr's chart and the reference apps run as non-root and refuse an image that runs as root. */
  user?: string;
  workingDir?: string;
  /** `8080` or `8080/tcp`. */
  exposedPorts?: string[];
  labels?: Record<string, string>;
}

export interface ImageSpec {
  /** Short name of the archive in the cache (`dapr`, `pause`, …): lowercase letters, digits and dashes. */
  name: string;
  /** Every name the image is imported under, `registry/repository:tag` (a bare `redis:7` means Docker Hub's). */
  refs: string[];
  layers: ImageLayer[];
  config: ImageConfig;
}

/** A docker-archive tarball (what `docker save` writes) and the names it carries. */
export interface ImageArchive {
  refs: string[];
  archivePath: string;
}
