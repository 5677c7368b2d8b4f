import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { usageError } from '../../../harness/errors/harness-error';
import { isObject, type Manifest } from './manifest';

const RENDER_TIMEOUT_MS = 60_000;

/** A command that renders a kustomization to YAML on stdout. */
export interface Renderer {
  command: string;
  args: (dir: string) => string[];
}

export const kubectlRenderer = (kubectl: string): Renderer => ({ command: kubectl, args: (dir) => ['kustomize', dir] });
export const kustomizeRenderer = (kustomize: string): Renderer => ({ command: kustomize, args: (dir) => ['build', dir] });

const NO_RENDERER_HINT =
  'install kubectl 1.27 or newer (it carries kustomize v5), or the kustomize CLI (`go install sigs.k8s.io/kustomize/kustomize/v5@v5.5.0`), or point KUBECTL at kubectl';

/**
 * kubectl's built-in kustomize (KUBECTL, else kubectl on PATH), or the standalone kustomize CLI of the same
 * major version where kubectl is not installed. Neither is a usage error, never a reason to skip.
 */
export function findRenderer(env: NodeJS.ProcessEnv = process.env): Renderer {
  if (env.KUBECTL) return kubectlRenderer(env.KUBECTL);
  const kubectl = onPath('kubectl', env.PATH);
  if (kubectl) return kubectlRenderer(kubectl);
  const kustomize = onPath('kustomize', env.PATH);
  if (kustomize) return kustomizeRenderer(kustomize);
  throw usageError(
    'KUBECTL_MISSING',
    'neither kubectl nor kustomize is on PATH: the manifest tests render k8s/ with `kubectl kustomize`',
    NO_RENDERER_HINT,
  );
}

/** The executable `name` in one of the PATH directories, like `command -v`. */
export function onPath(name: string, path = ''): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Renders a kustomization the way `kubectl apply -k` will, so the tests see exactly the objects a cluster would
 * receive.
 */
export function renderKustomization(
  dir: string,
  renderer: Renderer = findRenderer(),
  opts: { filesOutsideRoot?: boolean } = {},
): Manifest[] {
  // k8s/load builds its ConfigMap from load/k6, outside its root; its README renders it with the same flag.
  const args = [...renderer.args(dir), ...(opts.filesOutsideRoot ? ['--load-restrictor', 'LoadRestrictionsNone'] : [])];
  const shown = `${renderer.command} ${args.join(' ')}`;
  let out: string;
  try {
    out = execFileSync(renderer.command, args, {
      encoding: 'utf8',
      timeout: RENDER_TIMEOUT_MS,
      maxBuffer: 32 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw usageError(
        'KUBECTL_MISSING',
        `\`${renderer.command}\` not found: the manifest tests render k8s/ with \`kubectl kustomize\``,
        NO_RENDERER_HINT,
      );
    }
    const detail = (e.stderr ?? e.message).trim().split('\n')[0];
    throw usageError(
      'KUSTOMIZE_FAILED',
      `\`${shown}\` failed: ${detail}`,
      'fix the kustomization or the file it names, then render it by hand to check',
    );
  }
  return parseManifests(out, shown);
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
      throw usageError(
        'MANIFEST_INVALID',
        `${source}: a document without apiVersion, kind and metadata`,
        'every document must be a Kubernetes object',
      );
    }
    out.push(body as Manifest);
  }
  return out;
}
