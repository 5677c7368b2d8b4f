import type { Progress } from '../console/progress';
import { ensurePauseImage, ensureReferenceImages, importImageArchives, PAUSE_IMAGE_REF, writeImage } from '../images';
import { corednsImageRef } from './cluster-dns';
import { pinnedCorednsVersion } from './kube-binaries';
import type { ClusterImages } from './one-machine-cluster';

/**
 * The node's own images, written without a registry: the pause image, and CoreDNS as its one static binary built
 * from the pinned module; with `reference` (the default of `cluster up`), also every image the reference deployment
 * runs (Dapr under its chart's names, the apps, the harness, Redis, NATS, nats-box), so a push is never needed.
 */
export function clusterImages(opts: { reference?: boolean } = {}, corednsVersion = pinnedCorednsVersion()): ClusterImages {
  const corednsRef = corednsImageRef(corednsVersion);
  return {
    pauseRef: PAUSE_IMAGE_REF,
    corednsRef,
    async importInto(o, progress: Progress): Promise<void> {
      const pause = await ensurePauseImage(progress);
      const coredns = await writeImage(
        {
          name: 'coredns',
          refs: [o.corednsRef],
          layers: [{ entries: [{ target: '/coredns', source: o.corednsBinary, mode: 0o755 }] }],
          config: { entrypoint: ['/coredns'], exposedPorts: ['53/udp', '53/tcp', '9153/tcp'] },
        },
        progress,
      );
      const reference = opts.reference ? await ensureReferenceImages(progress) : [];
      if (reference.length > 0) progress.update(`importing ${reference.length} reference images`);
      await importImageArchives([pause, coredns, ...reference], { ctrPath: o.ctrPath, containerdAddress: o.containerdAddress });
    },
  };
}
