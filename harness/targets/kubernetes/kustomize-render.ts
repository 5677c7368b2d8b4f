import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { usageError } from '../../errors/harness-error';
import { commandPath } from '../../process/required-commands';

const RENDER_TIMEOUT_MS = 60_000;

/**
 * Renders a kustomization with the kustomize built into kubectl (`kubectl kustomize`), or a standalone
 * `kustomize build`, so what is applied is exactly what `kubectl apply -k` would send.
 */
export async function renderKustomization(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<KubernetesObject[]> {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw usageError(
      'KUSTOMIZATION_MISSING',
      `${root} is not a directory`,
      "pass the folder that holds kustomization.yaml (the reference deployment's is k8s/)",
    );
  }
  if (!['kustomization.yaml', 'kustomization.yml', 'Kustomization'].some((f) => existsSync(join(root, f)))) {
    throw usageError('KUSTOMIZATION_MISSING', `${root} has no kustomization.yaml`, 'pass the folder that holds kustomization.yaml');
  }
  const kubectl = env.KUBECTL ?? commandPath('kubectl');
  const kustomize = commandPath('kustomize');
  const [command, args] = kubectl ? [kubectl, ['kustomize', root]] : kustomize ? [kustomize, ['build', root]] : [undefined, []];
  if (!command) {
    throw usageError(
      'KUSTOMIZE_MISSING',
      'neither kubectl nor kustomize is on PATH',
      'install kubectl (1.27+, it carries kustomize v5) or `go install sigs.k8s.io/kustomize/kustomize/v5@v5.5.0`',
    );
  }
  const out = await new Promise<string>((resolvePromise, reject) => {
    execFile(command, args, { encoding: 'utf8', timeout: RENDER_TIMEOUT_MS, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err)
        reject(
          usageError(
            'KUSTOMIZE_FAILED',
            `\`${[command, ...args].join(' ')}\` failed: ${(stderr || err.message).trim().split('\n')[0]}`,
            'fix the kustomization or the file it names, then run the same command by hand',
          ),
        );
      else resolvePromise(stdout);
    });
  });
  const objects: KubernetesObject[] = [];
  for (const doc of parseAllDocuments(out)) {
    if (doc.errors[0])
      throw usageError(
        'KUSTOMIZE_FAILED',
        `the rendering of ${root} is not valid YAML: ${doc.errors[0].message.split('\n')[0]}`,
        'fix the kustomization',
      );
    const body = doc.toJS() as KubernetesObject | null;
    if (!body) continue;
    if (!body.apiVersion || !body.kind || !body.metadata?.name)
      throw usageError(
        'KUSTOMIZE_FAILED',
        `the rendering of ${root} has a document without apiVersion, kind or metadata.name`,
        'every document must be a Kubernetes object',
      );
    objects.push(body);
  }
  return objects;
}
