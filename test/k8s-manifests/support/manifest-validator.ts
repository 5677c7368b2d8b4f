import { join } from 'node:path';
import { pinnedDaprVersion } from '../../../harness/runtime/runtime-binaries';
import { DaprCrdSchemas } from './dapr-crd-schemas';
import { daprModuleDir } from '../../../harness/runtime/dapr-module';
import { isCoreKind, validateCoreManifest } from './kubernetes-schemas';
import { objectName, type Manifest } from './manifest';

/** Validates any manifest the deployment renders: built-in kinds, Dapr's custom resources, nothing else. */
export class ManifestValidator {
  constructor(readonly dapr: DaprCrdSchemas) {}

  validate(m: Manifest): string[] {
    const where = objectName(m);
    if (isCoreKind(m)) return validateCoreManifest(m).map((i) => `${where}: ${i}`);
    if (this.dapr.has(m)) return this.dapr.validate(m).map((i) => `${where}: ${i}`);
    return [`${where}: no schema for ${m.apiVersion} ${m.kind}; register its kubernetes-models class, or use a kind Dapr's CRDs define`];
  }
}

/** Dapr's module at the version the harness pins (runtime/go.mod), and the validator built from its CRDs. */
export function loadDaprReference(): { version: string; moduleDir: string; validator: ManifestValidator } {
  const version = pinnedDaprVersion();
  const moduleDir = daprModuleDir(version);
  return { version, moduleDir, validator: new ManifestValidator(DaprCrdSchemas.load(join(moduleDir, 'charts/dapr/crds'))) };
}
