import * as clientModels from '@kubernetes/client-node';
import type { ErrorObject } from 'ajv';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { isObject, type Manifest } from './manifest';

interface Validatable {
  validate(): void;
}

interface CoreKind {
  model: new (data: never) => Validatable;
  /** The same type in @kubernetes/client-node, whose generated field lists tell known fields from typos. */
  clientType: string;
}

/**
 * The built-in kinds the manifests may use, keyed `apiVersion/kind`. A kind missing here fails validation,
 * so nothing reaches a cluster unchecked; add its kubernetes-models class when a manifest needs a new kind.
 */
const CORE_KINDS: Record<string, CoreKind> = {
  'v1/Namespace': { model: Namespace, clientType: 'V1Namespace' },
  'v1/Service': { model: Service, clientType: 'V1Service' },
  'v1/ConfigMap': { model: ConfigMap, clientType: 'V1ConfigMap' },
  'v1/ServiceAccount': { model: ServiceAccount, clientType: 'V1ServiceAccount' },
  'apps/v1/Deployment': { model: Deployment, clientType: 'V1Deployment' },
  'apps/v1/StatefulSet': { model: StatefulSet, clientType: 'V1StatefulSet' },
  'autoscaling/v2/HorizontalPodAutoscaler': { model: HorizontalPodAutoscaler, clientType: 'V2HorizontalPodAutoscaler' },
  'policy/v1/PodDisruptionBudget': { model: PodDisruptionBudget, clientType: 'V1PodDisruptionBudget' },
  'batch/v1/Job': { model: Job, clientType: 'V1Job' },
  'rbac.authorization.k8s.io/v1/Role': { model: Role, clientType: 'V1Role' },
  'rbac.authorization.k8s.io/v1/RoleBinding': { model: RoleBinding, clientType: 'V1RoleBinding' },
  'rbac.authorization.k8s.io/v1/ClusterRole': { model: ClusterRole, clientType: 'V1ClusterRole' },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': { model: ClusterRoleBinding, clientType: 'V1ClusterRoleBinding' },
};

export function isCoreKind(m: Pick<Manifest, 'apiVersion' | 'kind'>): boolean {
  return `${m.apiVersion}/${m.kind}` in CORE_KINDS;
}

/**
 * Validates a built-in object against the Kubernetes OpenAPI schema (kubernetes-models), and rejects fields the
 * API does not have, as `kubectl apply` does by default (server-side strict field validation): a misspelt
 * `readinesProbe` would otherwise pass the schema and be dropped silently.
 */
export function validateCoreManifest(m: Manifest): string[] {
  const kind = CORE_KINDS[`${m.apiVersion}/${m.kind}`];
  if (!kind) return [`no Kubernetes schema registered for ${m.apiVersion} ${m.kind}`];
  const issues: string[] = [];
  try {
    new kind.model(m as never).validate();
  } catch (err) {
    issues.push(...schemaMessages(err));
  }
  unknownFields(m, kind.clientType, '', issues);
  return issues;
}

function schemaMessages(err: unknown): string[] {
  const errors = (err as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return [err instanceof Error ? err.message : String(err)];
  return (errors as ErrorObject[]).map((e) => `${jsonPointerToPath(e.instancePath) || '(object)'}: ${e.message ?? e.keyword}`);
}

/** `/spec/containers/0/image` → `spec.containers[0].image`, the way kubectl prints a field. */
export function jsonPointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

interface AttributeType {
  baseName: string;
  type: string;
}

type ClientModel = { getAttributeTypeMap?: () => AttributeType[] };
const models = clientModels as unknown as Record<string, ClientModel | undefined>;

const ARRAY_OF = /^Array<(.+)>$/;
const MAP_OF = /^\{ \[key: string\]: (.+); \}$/;

/** Fields of `value` that the Kubernetes type `typeName` (a @kubernetes/client-node model name) does not have. */
export function unknownFieldsOf(value: unknown, typeName: string, path = ''): string[] {
  const out: string[] = [];
  unknownFields(value, typeName, path, out);
  return out;
}

function unknownFields(value: unknown, typeName: string, path: string, out: string[]): void {
  if (value === null || value === undefined) return;
  const arrayOf = ARRAY_OF.exec(typeName);
  if (arrayOf) {
    if (Array.isArray(value)) value.forEach((item, i) => unknownFields(item, arrayOf[1] as string, `${path}[${i}]`, out));
    return;
  }
  const mapOf = MAP_OF.exec(typeName);
  if (mapOf) {
    if (isObject(value)) for (const [k, v] of Object.entries(value)) unknownFields(v, mapOf[1] as string, `${path}.${k}`, out);
    return;
  }
  // Primitives, IntOrString, quantities and free-form objects have no field list; the schema checks their type.
  const attributes = models[typeName]?.getAttributeTypeMap?.();
  if (!attributes || !isObject(value)) return;
  const known = new Map(attributes.map((a) => [a.baseName, a.type]));
  for (const [field, v] of Object.entries(value)) {
    const fieldPath = path ? `${path}.${field}` : field;
    const type = known.get(field);
    if (type === undefined) out.push(`${fieldPath}: unknown field "${field}"`);
    else unknownFields(v, type, fieldPath, out);
  }
}
