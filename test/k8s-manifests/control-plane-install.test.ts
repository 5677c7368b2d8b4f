import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadResources, metadataValue, type DaprResource } from '../../harness/targets/local/dapr-resources';
import { chartDefaults, unknownValueKeys } from './support/chart-values';
import { loadDaprReference } from './support/manifest-validator';
import { REPO_ROOT } from './support/manifest';

const SYSTEM_DIR = join(REPO_ROOT, 'k8s/dapr-system');

function values(file: string): Record<string, unknown> {
  return parse(readFileSync(join(SYSTEM_DIR, file), 'utf8')) as Record<string, unknown>;
}

function at(obj: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), obj);
}

interface HelmInstall {
  release: string;
  chart: string;
  version: string;
  namespace: string;
  values: string;
}

/** The `helm upgrade --install` commands of a README, as a reader would run them. */
function helmInstalls(markdown: string): HelmInstall[] {
  const joined = markdown.replace(/\\\n\s*/g, ' ');
  return [...joined.matchAll(/^helm upgrade --install (\S+) (\S+) (.*)$/gm)].map((m) => {
    const flag = (name: string): string => new RegExp(`--${name}[ =](\\S+)`).exec(m[3] as string)?.[1] ?? '';
    return {
      release: m[1] as string,
      chart: m[2] as string,
      version: flag('version'),
      namespace: flag('namespace'),
      values: flag('values'),
    };
  });
}

/** The installs from chart repositories; the single-node route installs the chart of the pinned Dapr module itself. */
function readmeInstalls(): HelmInstall[] {
  return helmInstalls(readFileSync(join(SYSTEM_DIR, 'README.md'), 'utf8')).filter((i) => !i.chart.startsWith('"$('));
}

/** An install that another cluster would not reproduce: no pinned version, another namespace, no values file. */
function installIssues(i: HelmInstall): string[] {
  const issues: string[] = [];
  if (!/^\d+\.\d+\.\d+$/.test(i.version)) issues.push(`${i.release}: no pinned --version`);
  if (i.namespace !== 'dapr-system') issues.push(`${i.release}: --namespace ${i.namespace || '(none)'} instead of dapr-system`);
  if (!i.values || !existsSync(join(REPO_ROOT, i.values)))
    issues.push(`${i.release}: --values ${i.values || '(none)'} is not a file of the repository`);
  return issues;
}

/** The control plane and backing services as k8s/dapr-system/README.md installs them. */
describe('k8s manifests: control plane and backing services', function () {
  this.timeout(120_000);
  let daprVersion: string;
  let daprModuleDir: string;
  let resources: DaprResource[];

  before(function () {
    ({ version: daprVersion, moduleDir: daprModuleDir } = loadDaprReference());
    resources = loadResources([join(REPO_ROOT, 'dapr-components')]);
  });

  const install = (release: string): HelmInstall => {
    const found = readmeInstalls().find((i) => i.release === release);
    if (!found) throw new Error(`README.md has no helm upgrade --install ${release}`);
    return found;
  };
  const component = (type: string): DaprResource => {
    const found = resources.find((r) => (r.body.spec as { type?: string }).type === type);
    if (!found) throw new Error(`no ${type} component in dapr-components/`);
    return found;
  };

  it('installs the Dapr release the harness builds its sidecar from', function () {
    const dapr = install('dapr');
    expect(dapr.chart).to.equal('dapr/dapr');
    expect(dapr.version).to.equal(daprVersion.replace(/^v/, ''));
    expect(dapr.values).to.equal('k8s/dapr-system/dapr-values.yaml');
  });

  it('pins a chart version and names an existing values file for every release', function () {
    const installs = readmeInstalls();
    expect(installs.map((i) => i.release)).to.have.members(['dapr', 'redis', 'nats']);
    expect(installs.flatMap(installIssues)).to.deep.equal([]);
  });

  it('sets only keys the Dapr chart has', function () {
    const defaults = chartDefaults(join(daprModuleDir, 'charts/dapr'));
    expect(unknownValueKeys(values('dapr-values.yaml'), defaults)).to.deep.equal([]);
  });

  it('runs Dapr without HA, with mTLS, JSON logs and metrics', function () {
    const v = values('dapr-values.yaml');
    expect(at(v, 'global.ha.enabled')).to.equal(false);
    expect(at(v, 'global.mtls.enabled')).to.equal(true);
    expect(at(v, 'global.logAsJson')).to.equal(true);
    expect(at(v, 'global.prometheus.enabled')).to.equal(true);
  });

  it('gives Redis the address and the password secret the state store uses', function () {
    const statestore = component('state.redis');
    const redis = install('redis');
    expect(metadataValue(statestore, 'redisHost')).to.equal(`${redis.release}-master.${redis.namespace}.svc.cluster.local:6379`);
    const v = values('redis-values.yaml');
    expect(at(v, 'architecture')).to.equal('standalone');
    expect(at(v, 'auth.enabled')).to.equal(true);
    const ref = (statestore.body.spec as { metadata: { name: string; secretKeyRef?: { name: string; key: string } }[] }).metadata.find(
      (m) => m.name === 'redisPassword',
    )?.secretKeyRef;
    expect(ref, 'statestore redisPassword secretKeyRef').to.not.equal(undefined);
    expect(at(v, 'auth.existingSecret')).to.equal(ref?.name);
    expect(at(v, 'auth.existingSecretPasswordKey')).to.equal(ref?.key);
    // The README creates that secret in both namespaces: Redis reads it in dapr-system, the Dapr operator
    // resolves the component's secretKeyRef in dapr-harness.
    const readme = readFileSync(join(SYSTEM_DIR, 'README.md'), 'utf8');
    for (const ns of ['dapr-system', 'dapr-harness']) {
      expect(readme).to.include(`kubectl --namespace ${ns} create secret generic ${ref?.name} --from-literal=${ref?.key}=`);
    }
  });

  it('gives NATS the address the pub/sub component uses, with JetStream on file storage', function () {
    const pubsub = component('pubsub.jetstream');
    const nats = install('nats');
    expect(metadataValue(pubsub, 'natsURL')).to.equal(`nats://${nats.release}.${nats.namespace}.svc.cluster.local:4222`);
    const v = values('nats-values.yaml');
    expect(at(v, 'config.jetstream.enabled')).to.equal(true);
    expect(at(v, 'config.jetstream.fileStore.enabled')).to.equal(true);
    expect(at(v, 'config.jetstream.fileStore.pvc.enabled')).to.equal(true);
  });

  describe('reports a broken install', function () {
    it('a misspelt Dapr chart key', function () {
      const defaults = chartDefaults(join(daprModuleDir, 'charts/dapr'));
      const broken = {
        global: { logAsJSON: true, mtls: { enable: true } },
        dapr_operator: { resources: { requests: { cpu: '1' } } },
        dapr_sidecarinjector: {},
      };
      expect(unknownValueKeys(broken, defaults)).to.deep.equal(['global.logAsJSON', 'global.mtls.enable', 'dapr_sidecarinjector']);
    });

    it('a helm command without a pinned version, in another namespace, without values', function () {
      const [nats] = helmInstalls('```bash\nhelm upgrade --install nats nats/nats \\\n  --namespace default\n```\n');
      expect(nats && installIssues(nats)).to.deep.equal([
        'nats: no pinned --version',
        'nats: --namespace default instead of dapr-system',
        'nats: --values (none) is not a file of the repository',
      ]);
    });
  });
});
