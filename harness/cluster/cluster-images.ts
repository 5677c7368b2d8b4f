import type { Progress } from '../console/progress';
import { ensurePauseImage, importImageArchives, PAUSE_IMAGE_REF, writeImage } from '../images';
import { corednsImageRef } from './cluster-dns';
import { pinnedCorednsVersion } from './kube-binaries';
import type { ClusterImages } from './one-machine-cluster';

/**
 * The node's own images, written without a registry: the pause image, and CoreDNS as its one static binary built
 * from the pinned module.
 */
export function clusterImages(corednsVersion = pinnedCorednsVersion()): ClusterImages {
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
      await importImageArchives([pause, coredns], { ctrPath: o.ctrPath, containerdAddress: o.containerdAddress });
    },
  };
}
