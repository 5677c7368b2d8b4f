import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runtimeError } from '../errors/harness-error';
import { REPO_ROOT } from '../paths';

/** Where Dapr's chart takes its images from (`global.registry`); the tag is `global.tag`, the release. */
export const DAPR_CHART_REGISTRY = 'ghcr.io/dapr';

/**
 * Every name Dapr's chart gives an image, each the same image carrying all binaries: `image.name` of the
 * operator, placement, scheduler and sentry subcharts, the injector's `injectorImage.name` and the sidecar's
 * `image.name` (daprd), plus `dapr`, the name Dapr publishes the all-in-one image under.
 */
export function daprImageRefs(version: string): string[] {
  const tag = version.replace(/^v/, '');
  return ['dapr', 'daprd', 'injector', 'operator', 'placement', 'scheduler', 'sentry'].map(
    (name) => `${DAPR_CHART_REGISTRY}/${name}:${tag}`,
  );
}

interface KustomizeImage {
  name?: string;
  newName?: string;
  newTag?: string;
}

/** The name a kustomization's `images:` entry gives `name`: what the cluster will ask containerd for. */
export function kustomizedImageRef(kustomizationFile: string, name: string): string {
  const doc = parse(readFileSync(kustomizationFile, 'utf8')) as { images?: KustomizeImage[] };
  const entry = doc.images?.find((image) => image.name === name);
  if (!entry?.newTag) {
    throw runtimeError(
      'IMAGE_NAME_MISSING',
      `${kustomizationFile} has no images: entry for ${name} with a newTag`,
      `add { name: ${name}, newTag: … } to its images:`,
    );
  }
  return `${entry.newName ?? name}:${entry.newTag}`;
}

/** The reference apps' image, as k8s/kustomization.yaml names it for k8s/apps. */
export function appsImageRef(): string {
  return kustomizedImageRef(join(REPO_ROOT, 'k8s', 'kustomization.yaml'), 'dapr-harness/system-under-test');
}

/** The in-cluster harness Job's image, as k8s/harness/kustomization.yaml names it. */
export function harnessImageRef(): string {
  return kustomizedImageRef(join(REPO_ROOT, 'k8s', 'harness', 'kustomization.yaml'), 'dapr-harness');
}

/** The image k8s/dapr-system/jetstream-stream-job.yaml runs (nats-box: a shell and the nats CLI). */
export function natsBoxImageRef(): string {
  const file = join(REPO_ROOT, 'k8s', 'dapr-system', 'jetstream-stream-job.yaml');
  const job = parse(readFileSync(file, 'utf8')) as { spec?: { template?: { spec?: { containers?: { image?: string }[] } } } };
  const image = job.spec?.template?.spec?.containers?.[0]?.image;
  if (!image) throw runtimeError('IMAGE_NAME_MISSING', `${file} names no container image`, 'give the Job its container image');
  return image;
}

const BACKING_SERVICES = join(REPO_ROOT, 'k8s', 'dapr-system', 'backing-services', 'kustomization.yaml');

/** Redis from Debian's server, as k8s/dapr-system/backing-services names it (the Bitnami chart is not reachable here). */
export function redisImageRef(): string {
  return kustomizedImageRef(BACKING_SERVICES, 'dapr-harness/redis');
}

/** NATS from Debian's server, as k8s/dapr-system/backing-services names it (the NATS chart is not reachable here). */
export function natsImageRef(): string {
  return kustomizedImageRef(BACKING_SERVICES, 'dapr-harness/nats-server');
}
