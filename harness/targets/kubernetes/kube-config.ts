import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { usageError } from '../../errors/harness-error';

export interface KubeConfigChoice {
  /** --kubeconfig; default: $KUBECONFIG (first entry), then ~/.kube/config, then the in-cluster service account. */
  kubeconfig?: string;
  /** --context; default: the file's current-context. */
  context?: string;
}

export interface LoadedKubeConfig {
  config: KubeConfig;
  /** The file read, or "in-cluster". */
  source: string;
  context: string;
  server: string;
  /** The namespace the context names, if any. */
  namespace?: string;
}

/**
 * Reads a kubeconfig and selects the context, failing with one line that names the file or context at fault.
 * client-node reports a bad file with a YAML parser trace or not at all (an unknown context is silently kept),
 * so the checks here come before it sees the file.
 */
export function loadKubeConfig(choice: KubeConfigChoice): LoadedKubeConfig {
  const file = kubeconfigFile(choice.kubeconfig);
  const config = new KubeConfig();
  if (!file) {
    if (!process.env.KUBERNETES_SERVICE_HOST) {
      throw usageError(
        'NO_KUBECONFIG',
        'no kubeconfig: --kubeconfig not given, KUBECONFIG unset and ~/.kube/config missing',
        "pass --kubeconfig with the path of the cluster's kubeconfig",
      );
    }
    config.loadFromCluster();
    const cluster = config.getCurrentCluster();
    return { config, source: 'in-cluster', context: config.getCurrentContext(), server: cluster?.server ?? '' };
  }

  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw usageError(
      'KUBECONFIG_INVALID',
      `${file} is not a kubeconfig: ${(err as Error).message.split('\n')[0]}`,
      `check it with \`kubectl config view --kubeconfig ${file}\``,
    );
  }
  if (!isKubeconfigShape(doc)) {
    throw usageError(
      'KUBECONFIG_INVALID',
      `${file} is not a kubeconfig (no clusters/contexts lists)`,
      `check it with \`kubectl config view --kubeconfig ${file}\``,
    );
  }
  try {
    config.loadFromFile(file);
  } catch (err) {
    throw usageError(
      'KUBECONFIG_INVALID',
      `${file} is not a valid kubeconfig: ${(err as Error).message.split('\n')[0]}`,
      `check it with \`kubectl config view --kubeconfig ${file}\``,
    );
  }

  const names = config.getContexts().map((c) => c.name);
  const context = choice.context ?? config.getCurrentContext();
  if (!context) {
    throw usageError('NO_CONTEXT', `${file} has no current-context`, `pass --context (one of: ${names.join(', ') || 'none defined'})`);
  }
  const ctx = config.getContextObject(context);
  if (!ctx) {
    throw usageError(
      'UNKNOWN_CONTEXT',
      `context "${context}" is not in ${file} (contexts: ${names.join(', ') || 'none'})`,
      'pass --context with one of those, or leave it out to use the current context',
    );
  }
  config.setCurrentContext(context);
  const cluster = config.getCluster(ctx.cluster);
  if (!cluster) {
    throw usageError(
      'KUBECONFIG_INVALID',
      `context "${context}" in ${file} names cluster "${ctx.cluster}", which the file does not define`,
      `fix the file, or pick another context with --context`,
    );
  }
  if (ctx.user && !config.getUser(ctx.user)) {
    throw usageError(
      'KUBECONFIG_INVALID',
      `context "${context}" in ${file} names user "${ctx.user}", which the file does not define`,
      `fix the file, or pick another context with --context`,
    );
  }
  return { config, source: file, context, server: cluster.server, ...(ctx.namespace ? { namespace: ctx.namespace } : {}) };
}

function kubeconfigFile(explicit: string | undefined): string | undefined {
  if (explicit) {
    const file = resolve(explicit);
    if (!existsSync(file))
      throw usageError(
        'KUBECONFIG_MISSING',
        `kubeconfig ${file} does not exist`,
        'pass --kubeconfig with the path of an existing kubeconfig file (e.g. ~/.kube/config)',
      );
    return file;
  }
  const fromEnv = process.env.KUBECONFIG?.split(':').find(Boolean);
  if (fromEnv) {
    const file = resolve(fromEnv);
    if (!existsSync(file))
      throw usageError(
        'KUBECONFIG_MISSING',
        `KUBECONFIG names ${file}, which does not exist`,
        'point KUBECONFIG at an existing file, or pass --kubeconfig',
      );
    return file;
  }
  const home = join(homedir(), '.kube', 'config');
  return existsSync(home) ? home : undefined;
}

function isKubeconfigShape(doc: unknown): boolean {
  if (typeof doc !== 'object' || doc === null) return false;
  const d = doc as Record<string, unknown>;
  return Array.isArray(d.clusters) && Array.isArray(d.contexts);
}
