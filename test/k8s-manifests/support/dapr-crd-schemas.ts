import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { parseAllDocuments } from 'yaml';
import { usageError } from '../../../harness/errors/harness-error';
import { jsonPointerToPath, unknownFieldsOf } from './kubernetes-schemas';
import { isObject, type Manifest } from './manifest';

type Schema = Record<string, unknown>;

interface CrdVersion {
  validate: ValidateFunction;
  /** CEL rules (x-kubernetes-validations) the API server would run and this validator cannot. */
  celRules: number;
}

/** Keywords of Kubernetes structural schemas that JSON Schema does not know; they carry no check ajv could run. */
const KUBERNETES_KEYWORDS = [
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
];

/**
 * The openAPIV3Schema of every served version of Dapr's CRDs, compiled with ajv, keyed `apiVersion/kind`
 * (e.g. `dapr.io/v1alpha1/Component`).
 */
export class DaprCrdSchemas {
  private readonly versions = new Map<string, CrdVersion>();

  static load(crdDir: string): DaprCrdSchemas {
    const schemas = new DaprCrdSchemas();
    const ajv = new Ajv({ allErrors: true, strict: true });
    ajv.addVocabulary(KUBERNETES_KEYWORDS);
    ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
    ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
    const files = readdirSync(crdDir)
      .filter((f) => f.endsWith('.yaml'))
      .sort();
    for (const file of files) {
      for (const doc of parseAllDocuments(readFileSync(join(crdDir, file), 'utf8'))) {
        const crd: unknown = doc.toJS();
        if (!isObject(crd) || crd.kind !== 'CustomResourceDefinition') continue;
        const spec = crd.spec as {
          group: string;
          names: { kind: string };
          versions: { name: string; served: boolean; schema?: { openAPIV3Schema?: Schema } }[];
        };
        for (const v of spec.versions) {
          const schema = v.schema?.openAPIV3Schema;
          if (!v.served || !schema) continue;
          const strict = rejectUnknownFields(schema, true);
          schemas.versions.set(`${spec.group}/${v.name}/${spec.names.kind}`, {
            validate: ajv.compile(strict),
            celRules: countCelRules(schema),
          });
        }
      }
    }
    if (schemas.versions.size === 0)
      throw usageError(
        'DAPR_CRDS_MISSING',
        `no CustomResourceDefinitions found in ${crdDir}`,
        'point at charts/dapr/crds of the Dapr module',
      );
    return schemas;
  }

  has(m: Pick<Manifest, 'apiVersion' | 'kind'>): boolean {
    return this.versions.has(`${m.apiVersion}/${m.kind}`);
  }

  kinds(): string[] {
    return [...this.versions.keys()].sort();
  }

  celRules(apiVersionKind: string): number {
    return this.versions.get(apiVersionKind)?.celRules ?? 0;
  }

  /** Issues with a Dapr object, as the API server would report them when the object is applied. */
  validate(m: Manifest): string[] {
    const version = this.versions.get(`${m.apiVersion}/${m.kind}`);
    if (!version) return [`no Dapr CRD serves ${m.apiVersion} ${m.kind} (known: ${this.kinds().join(', ')})`];
    const issues: string[] = [];
    if (!version.validate(m)) issues.push(...(version.validate.errors ?? []).map(describeError));
    // The CRD schema leaves metadata to the API server, which checks it as ObjectMeta.
    issues.push(...unknownFieldsOf(m.metadata, 'V1ObjectMeta', 'metadata'));
    // A ConfigMap carries nothing but metadata, so its schema checks exactly the ObjectMeta.
    try {
      new ConfigMap({ metadata: m.metadata as never }).validate();
    } catch (err) {
      const errors = (err as { errors?: ErrorObject[] }).errors ?? [];
      issues.push(...errors.map((e) => `${jsonPointerToPath(e.instancePath)}: ${e.message ?? e.keyword}`));
    }
    return issues;
  }
}

function describeError(e: ErrorObject): string {
  const path = jsonPointerToPath(e.instancePath) || '(object)';
  if (e.keyword === 'additionalProperties')
    return `${path}: unknown field "${String((e.params as { additionalProperty: string }).additionalProperty)}"`;
  return `${path}: ${e.message ?? e.keyword}`;
}

/**
 * A copy of a structural schema that rejects fields it does not declare, as the API server does under the
 * strict field validation kubectl asks for; nodes marked x-kubernetes-preserve-unknown-fields stay open. The
 * root's metadata is left open: the API server validates it as ObjectMeta, not with this schema.
 */
export function rejectUnknownFields(node: Schema, isRoot = false): Schema {
  const out: Schema = { ...node };
  if (isObject(node.properties)) {
    const props: Record<string, Schema> = {};
    for (const [name, child] of Object.entries(node.properties)) {
      props[name] = isRoot && name === 'metadata' ? (child as Schema) : rejectUnknownFields(child as Schema);
    }
    out.properties = props;
  }
  if (isObject(node.items)) out.items = rejectUnknownFields(node.items);
  if (isObject(node.additionalProperties)) out.additionalProperties = rejectUnknownFields(node.additionalProperties);
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    if (Array.isArray(node[key])) out[key] = (node[key] as Schema[]).map((s) => rejectUnknownFields(s));
  }
  const open = node['x-kubernetes-preserve-unknown-fields'] === true || node.additionalProperties !== undefined;
  if (node.type === 'object' && !open) out.additionalProperties = false;
  return out;
}

function countCelRules(node: unknown): number {
  if (Array.isArray(node)) return node.reduce((n: number, item) => n + countCelRules(item), 0);
  if (!isObject(node)) return 0;
  let n = Array.isArray(node['x-kubernetes-validations']) ? node['x-kubernetes-validations'].length : 0;
  for (const [key, value] of Object.entries(node)) if (key !== 'x-kubernetes-validations') n += countCelRules(value);
  return n;
}
