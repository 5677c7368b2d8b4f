import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { silentProgress } from '../../harness/console/progress';
import { daprChartDir, DAPR_VALUES_FILES, renderDaprChart } from '../../harness/helm/dapr-chart';
import { ensureHelm } from '../../harness/helm/helm-binary';
import {
  appsImageRef,
  daprImageRefs,
  harnessImageRef,
  natsImageRef,
  natsBoxImageRef,
  redisImageRef,
} from '../../harness/images/image-refs';
import { normalizeImageRef } from '../../harness/images/import-images';
import { PAUSE_IMAGE_REF } from '../../harness/images/pause-image';
import { pinnedDaprVersion } from '../../harness/runtime/runtime-binaries';
import { chartDefaults, unknownValueKeys } from './support/chart-values';
import type { Manifest } from './support/manifest';
import { parseManifests, renderKustomization } from './support/render-kustomization';

/** Every image the project writes for a cluster, by the name containerd lists it under. */
function builtImages(): Set<string> {
  const refs = [
    ...daprImageRefs(pinnedDaprVersion()),
    appsImageRef(),
    harnessImageRef(),
    natsBoxImageRef(),
    redisImageRef(),
    natsImageRef(),
    PAUSE_IMAGE_REF,
  ];
  return new Set(refs.map(normalizeImageRef));
}

interface PodUse {
  where: string;
  image: string;
  pullPolicy?: string;
}

/** Each container's image and pull policy, plus the sidecar image the injector is told to inject. */
function imagesUsed(manifests: Manifest[]): PodUse[] {
  const uses: PodUse[] = [];
  for (const m of manifests) {
    const spec = (m as { spec?: { template?: { spec?: PodSpec }; jobTemplate?: { spec?: { template?: { spec?: PodSpec } } } } }).spec;
    const pod = spec?.template?.spec ?? spec?.jobTemplate?.spec?.template?.spec;
    for (const c of [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])]) {
      uses.push({ where: `${m.kind}/${m.metadata.name} ${c.name}`, image: c.image, pullPolicy: c.imagePullPolicy });
      const sidecar = c.env?.find((e) => e.name === 'SIDECAR_IMAGE');
      const sidecarPolicy = c.env?.find((e) => e.name === 'SIDECAR_IMAGE_PULL_POLICY');
      if (sidecar?.value)
        uses.push({ where: `${m.kind}/${m.metadata.name} injected daprd`, image: sidecar.value, pullPolicy: sidecarPolicy?.value });
    }
  }
  return uses;
}

interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
}
interface Container {
  name: string;
  image: string;
  imagePullPolicy?: string;
  env?: { name: string; value?: string }[];
}

function expectOnlyBuiltImages(uses: PodUse[]): void {
  const built = builtImages();
  expect(uses.length, 'containers found').to.be.greaterThan(0);
  const foreign = uses.filter((u) => !built.has(normalizeImageRef(u.image))).map((u) => `${u.where}: ${u.image}`);
  expect(foreign, 'images no image spec writes').to.deep.equal([]);
  const pulling = uses
    .filter((u) => u.pullPolicy !== 'IfNotPresent' && u.pullPolicy !== 'Never')
    .map((u) => `${u.where}: ${u.pullPolicy ?? '(none: Always for :latest)'}`);
  expect(pulling, 'pull policies that reach a registry').to.deep.equal([]);
}

/**
 * A cluster on this machine has no registry: everything Dapr's chart and k8s/ run must be an image the project
 * writes and imports, with a pull policy that never asks a registry.
 */
describe('k8s manifests: every image a cluster runs is one the project writes', function () {
  this.timeout(900_000);

  it("Dapr's chart from the module, with k8s/dapr-system's values, names only the Dapr image and never pulls", async function () {
    const helm = await ensureHelm(silentProgress);
    const rendered = parseManifests(await renderDaprChart(helm), 'helm template dapr');
    expectOnlyBuiltImages(imagesUsed(rendered));
    const scheduler = rendered.find((m) => m.kind === 'StatefulSet' && m.metadata.name === 'dapr-scheduler-server') as
      { spec?: { volumeClaimTemplates?: unknown[] } } | undefined;
    expect(scheduler, 'the scheduler StatefulSet').to.not.equal(undefined);
    expect(scheduler?.spec?.volumeClaimTemplates ?? [], 'a PVC no provisioner would bind').to.deep.equal([]);
  });

  it('the single-node values set only keys the Dapr chart has', function () {
    const defaults = chartDefaults(daprChartDir());
    for (const file of DAPR_VALUES_FILES) expect(unknownValueKeys(parse(readFileSync(file, 'utf8')), defaults), file).to.deep.equal([]);
  });

  it('k8s/ (the apps), k8s/harness, k8s/dapr-system and its backing services name only images the project writes, never pulled', function () {
    const root = join(import.meta.dirname, '..', '..', 'k8s');
    expectOnlyBuiltImages(
      ['', 'harness', 'dapr-system', 'dapr-system/backing-services'].flatMap((dir) => imagesUsed(renderKustomization(join(root, dir)))),
    );
  });
});
