import type { Rule } from '../rule';
import { ACCESS_CONTROL_RULES } from './access-control';
import { COMPONENT_SECRET_RULES } from './component-secrets';
import { HELM_VALUES_RULES } from './helm-values';
import { MTLS_RULES } from './mtls';
import { PUBSUB_RULES } from './pubsub';
import { RESILIENCY_RULES } from './resiliency';
import { SIDECAR_EXPOSURE_RULES } from './sidecar-exposure';
import { SIDECAR_HARDENING_RULES } from './sidecar-hardening';

/** Every rule the review runs, in the order the documentation lists them. */
export const RULES: readonly Rule[] = [
  ...MTLS_RULES,
  ...ACCESS_CONTROL_RULES,
  ...SIDECAR_EXPOSURE_RULES,
  ...COMPONENT_SECRET_RULES,
  ...SIDECAR_HARDENING_RULES,
  ...HELM_VALUES_RULES,
  ...RESILIENCY_RULES,
  ...PUBSUB_RULES,
];
