import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import { usageError } from '../../../harness/errors/harness-error';
import { isObject, type Manifest } from './manifest';

const RENDER_TIMEOUT_MS = 60_000;

/**
 * Renders a kustomization the way `kubectl apply -k` will, with the kustomize built into kubectl, so the tests
 * see exactly the objects a cluster would receive.
 */
export function renderKustomization(dir: string, kubectl = process.env.KUBECTL ?? 'kubectl'): Manifest[] {
  let out: string;
  try {
    out = execFileSync(kubectl, ['kustomize', dir], { encoding: 'utf8', timeout: RENDER_TIMEOUT_MS, maxBuffer: 32 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw usageError(
        'KUBECTL_MISSING',
        `\`${kubectl}\` not found: the manifest tests render k8s/ with \`kubectl kustomize\``,
        'install kubectl 1.27 or newer (it carries kustomize v5) and put it on PATH, or point KUBECTL at it',
      );
    }
    const detail = (e.stderr ?? e.message).trim().split('\n')[0];
    throw usageError('KUSTOMIZE_FAILED', `\`${kubectl} kustomize ${dir}\` failed: ${detail}`, 'fix the kustomization or the file it names, then run `kubectl kustomize` on it by hand');
  }
  return parseManifests(out, `kubectl kustomize ${dir}`);
}

/** Splits a multi-document YAML stream into objects, rejecting anything that is not a Kubernetes object. */
export function parseManifests(text: string, source: string): Manifest[] {
  const out: Manifest[] = [];
  for (const doc of parseAllDocuments(text)) {
    const error = doc.errors[0];
    if (error) throw usageError('MANIFEST_INVALID', `${source}: not valid YAML (${error.message.split('\n')[0]})`, 'fix the YAML');
    const body: unknown = doc.toJS();
    if (body === null || body === undefined) continue;
    if (!isObject(body) || typeof body.apiVersion !== 'string' || typeof body.kind !== 'string' || !isObject(body.metadata)) {
      throw usageError('MANIFEST_INVALID', `${source}: a document without apiVersion, kind and metadata`, 'every document must be a Kubernetes object');
    }
    out.push(body as Manifest);
  }
  return out;
}
