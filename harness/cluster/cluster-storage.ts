import type { KubernetesObject } from '@kubernetes/client-node';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterLayout } from './cluster-layout';

export const STORAGE_CLASS = 'local';
/** Enough for the backing services' claims and a re-created StatefulSet's, with room to spare; each is a dir. */
export const LOCAL_VOLUME_COUNT = 8;
const VOLUME_CAPACITY = '10Gi';

export function volumeDir(l: ClusterLayout, i: number): string {
  return join(l.dataDir, 'volumes', `pv-${i}`);
}

/**
 * The volumes' dirs under the cluster's data dir (removed with it at `down`). Writable by every user: a local
 * volume ignores a pod's fsGroup, and the backing services run as users of their own.
 */
export function makeVolumeDirs(l: ClusterLayout, count = LOCAL_VOLUME_COUNT): string[] {
  const dirs: string[] = [];
  for (let i = 0; i < count; i++) {
    const dir = volumeDir(l, i);
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o1777);
    dirs.push(dir);
  }
  return dirs;
}

/**
 * The default StorageClass without a provisioner, and static local PersistentVolumes on the one node: a claim binds
 * when its pod is scheduled (WaitForFirstConsumer), as on a cluster with local storage.
 */
export function storageObjects(l: ClusterLayout, count = LOCAL_VOLUME_COUNT): KubernetesObject[] {
  const storageClass = {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: STORAGE_CLASS, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: 'kubernetes.io/no-provisioner',
    volumeBindingMode: 'WaitForFirstConsumer',
    reclaimPolicy: 'Delete',
  };
  const volumes = Array.from({ length: count }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: `local-pv-${i}` },
    spec: {
      capacity: { storage: VOLUME_CAPACITY },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: STORAGE_CLASS,
      local: { path: volumeDir(l, i) },
      nodeAffinity: {
        required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [l.nodeName] }] }] },
      },
    },
  }));
  return [storageClass, ...volumes];
}
