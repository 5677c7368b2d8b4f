import { resolve } from 'node:path';

/** The repository root, wherever mocha was started from. */
export const REPO_ROOT = resolve(import.meta.dirname, '../../..');

/** One Kubernetes object as rendered: only the envelope is typed, the rest is checked by the validators. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/** `Deployment/sample-app`, the way kubectl names an object in its messages. */
export function objectName(m: Pick<Manifest, 'kind' | 'metadata'>): string {
  return `${m.kind}/${m.metadata?.name ?? '<unnamed>'}`;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
