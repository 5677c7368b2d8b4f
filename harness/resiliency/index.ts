/**
 * Dapr Resiliency policies as daprd applies them: read the documents, resolve what each sidecar applies to each
 * app, component and actor, and derive what a suite should observe.
 */
export {
  checkPolicyReferences,
  loadResiliencyFiles,
  parseResiliencyDocuments,
  parseResiliencyObject,
  parseResiliencyYaml,
  type ActorBreakerScope,
  type ActorTarget,
  type AppTarget,
  type ComponentTarget,
  type LoadOptions,
  type PolicyRefs,
  type ResiliencyDocument,
  type ResiliencyInput,
} from './resiliency-document';
export {
  appliesToSidecar,
  effectivePolicy,
  resolvePolicies,
  type DeploymentShape,
  type EffectivePolicy,
  type PolicyQuery,
  type ResolvedResiliency,
  type SidecarPolicies,
  type TargetRef,
} from './resiliency-policy';
export {
  circuitBreakerExpectation,
  describeBreaker,
  describeExpectation,
  describeRetry,
  describeTimeout,
  expectedCalleeCalls,
  expectedInvocation,
  timeoutMs,
  SIDECAR_ERROR_STATUS,
  type BreakerExpectation,
  type CalleeCallExpectation,
  type InvocationExpectation,
  type InvocationOptions,
  type InvocationOutcome,
  type Range,
} from './resiliency-expectation';
export { expectedDeliveries, type DeliveryExpectation } from './delivery-expectation';
export {
  expectedAttempts,
  retryDelaysMs,
  type AttemptExpectation,
  type AttemptLimit,
  type AttemptOptions,
  type DelayBound,
} from './retry-schedule';
export {
  circuitBreakerPolicy,
  retryPolicy,
  timeoutPolicy,
  CIRCUIT_BREAKER_DEFAULTS,
  RETRY_DEFAULTS,
  type CircuitBreakerPolicy,
  type RetryPolicy,
  type TimeoutPolicy,
} from './policy-definitions';
export {
  builtInRetries,
  componentKind,
  BUILT_IN_RETRY_NAMES,
  type BuiltInRetryName,
  type ComponentKind,
  type Direction,
} from './built-in-policies';
export {
  DEFAULT_TRIP,
  evaluateTrip,
  parseTripExpression,
  tripPoint,
  TRIP_VARIABLES,
  type BreakerCounts,
  type TripExpression,
  type TripPoint,
} from './trip-expression';
export { durationMs, formatGoDuration, parseDaprDuration, parseGoDuration } from './duration';
export { isRetriedStatus, parseStatusCodes, type CodeRange, type StatusCodeMatch } from './status-code-match';
export { formatFinding, type ResiliencyFinding } from './resiliency-finding';
