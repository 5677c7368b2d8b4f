import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { HarnessError, usageError } from '../errors/harness-error';
import { isBuiltInRetryName, PROTECTED_RETRY_NAMES, BUILT_IN_MIN_RETRIES, type Direction } from './built-in-policies';
import { describeValue, DURATION_HINT, parseDaprDuration } from './duration';
import {
  circuitBreakerPolicy,
  RETRY_DEFAULTS,
  retryPolicy,
  timeoutPolicy,
  type CircuitBreakerPolicy,
  type RetryPolicy,
  type TimeoutPolicy,
} from './policy-definitions';
import type { ResiliencyFinding } from './resiliency-finding';
import { parseStatusCodes, type StatusCodeMatch } from './status-code-match';
import { parseTripExpression } from './trip-expression';
import { nearestName } from '../naming/nearest-name';

/**
 * Resiliency documents (dapr.io/v1alpha1, kind Resiliency) read from YAML text, files, resource directories or
 * already-parsed objects (e.g. Kubernetes resources), checked field by field.
 *
 * daprd is lenient: it ignores unknown fields, loads a document only partly when a field is bad, and logs rather than
 * fails. Each of those turns a typo into a policy that silently does nothing, so here they are usage errors that
 * name the document, the field and the fix.
 */

export interface PolicyRefs {
  timeout?: string;
  retry?: string;
  circuitBreaker?: string;
}

export interface AppTarget extends PolicyRefs {
  /** Circuit breakers kept per app (one per endpoint); 0 means daprd's default of 100. */
  circuitBreakerCacheSize: number;
}

export type ActorBreakerScope = 'type' | 'id' | 'both';

export interface ActorTarget extends PolicyRefs {
  circuitBreakerScope?: ActorBreakerScope;
  /** 0 means daprd's default of 5000. */
  circuitBreakerCacheSize: number;
}

export interface ComponentTarget {
  inbound: PolicyRefs;
  outbound: PolicyRefs;
  /** Directions the spec wrote out, even if empty. */
  declared: Direction[];
}

export interface ResiliencyDocument {
  name: string;
  namespace?: string;
  /** App ids whose sidecars load this document; empty means every app. */
  scopes: string[];
  /** Where it came from: a file path (with the document number for multi-document files) or a resource name. */
  source: string;
  policies: {
    timeouts: Record<string, TimeoutPolicy>;
    retries: Record<string, RetryPolicy>;
    circuitBreakers: Record<string, CircuitBreakerPolicy>;
  };
  targets: {
    apps: Record<string, AppTarget>;
    actors: Record<string, ActorTarget>;
    components: Record<string, ComponentTarget>;
  };
  /** Things that load but may not mean what they say. */
  warnings: ResiliencyFinding[];
}

export type ResiliencyInput = string | { yaml: string; source?: string } | Record<string, unknown>;

export const RESILIENCY_API_VERSION = 'dapr.io/v1alpha1';

const REF_KINDS = { timeout: 'timeouts', retry: 'retries', circuitBreaker: 'circuitBreakers' } as const;
type RefKind = keyof typeof REF_KINDS;

/** Fields daprd's types do not have, with what the writer probably wanted. */
const MISPLACED: Record<string, string> = {
  buildingBlocks: 'it is the pre-release name of "targets"; daprd ignores it',
  services: 'app targets go under "apps"',
  initialInterval: "daprd's Resiliency spec cannot set it: exponential back-off always starts at 500ms",
  multiplier: "daprd's Resiliency spec cannot set it: exponential back-off always grows ×1.5",
  randomizationFactor: "daprd's Resiliency spec cannot set it: exponential waits always vary by ±50%",
  maxElapsedTime: "daprd's Resiliency spec cannot set it: exponential back-off always gives up after 15m",
};

class DocumentReader {
  readonly warnings: ResiliencyFinding[] = [];

  constructor(readonly source: string) {}

  fail(code: string, field: string, problem: string, hint: string): never {
    throw usageError(code, `${this.source}: ${field}: ${problem}`, hint);
  }

  warn(code: string, field: string, message: string, severity: 'warning' | 'info' = 'warning'): void {
    this.warnings.push({ code, severity, message, document: this.source, field });
  }

  /** A mapping, or undefined when absent/null (YAML `key:` with nothing after it). */
  mapping(value: unknown, field: string): Record<string, unknown> | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.fail(
        'RESILIENCY_INVALID_VALUE',
        field,
        `expected a mapping, found ${describeValue(value)}`,
        'indent the entries under it as "key: value" lines',
      );
    }
    return value as Record<string, unknown>;
  }

  fields(obj: Record<string, unknown>, field: string, known: readonly string[], extra: Record<string, string> = {}): void {
    for (const key of Object.keys(obj)) {
      if (known.includes(key)) continue;
      const why = extra[key] ?? MISPLACED[key];
      const near = nearestName(key, known);
      const problem = why
        ? `"${key}" does not belong here: ${why}`
        : `unknown field "${key}"${near ? ` (did you mean "${near}"?)` : ''}; daprd would ignore it silently`;
      this.fail('RESILIENCY_UNKNOWN_FIELD', `${field}.${key}`, problem, `remove it or fix the spelling; allowed here: ${known.join(', ')}`);
    }
  }

  string(value: unknown, field: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    // daprd's YAML loader coerces numbers and booleans into string fields.
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (typeof value !== 'string')
      this.fail('RESILIENCY_INVALID_VALUE', field, `expected text, found ${describeValue(value)}`, 'write a single value on the same line');
    return value as string;
  }

  integer(value: unknown, field: string, min: number, hint: string): number | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string')
      this.fail(
        'RESILIENCY_INVALID_VALUE',
        field,
        `"${value}" is quoted text; daprd cannot load a string into this number field and drops the whole document`,
        'write the number without quotes',
      );
    if (typeof value !== 'number' || !Number.isInteger(value))
      this.fail('RESILIENCY_INVALID_VALUE', field, `expected a whole number, found ${describeValue(value)}`, hint);
    if ((value as number) < min) this.fail('RESILIENCY_INVALID_VALUE', field, `${String(value)} is below ${min}`, hint);
    return value as number;
  }

  duration(value: unknown, field: string, what: 'timeout' | 'interval'): number | undefined {
    if (value === undefined || value === null || value === '') return undefined;
    const parsed = parseDaprDuration(value);
    if (!parsed.ok) this.fail('RESILIENCY_INVALID_DURATION', field, parsed.reason, DURATION_HINT);
    const ms = (parsed as { ms: number }).ms;
    if (ms < 0)
      this.fail(
        'RESILIENCY_INVALID_DURATION',
        field,
        `${String(value)} is negative`,
        `a negative ${what} behaves like none at all; ${DURATION_HINT}`,
      );
    if (ms !== 0 && (typeof value === 'number' || /^[-+]?\d+$/.test(String(value)))) {
      this.warn(
        'bare-number-duration',
        field,
        `${String(value)} has no unit, so daprd reads it as ${ms}ms; write "${ms}ms" to say so, or "${ms}s" if you meant seconds`,
      );
    }
    return ms;
  }
}

/** Rethrow a parser's usage error with the document and field in front. */
function inContext<T>(reader: DocumentReader, field: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof HarnessError) throw usageError(err.code, `${reader.source}: ${field}: ${err.message}`, err.hint);
    throw err;
  }
}

function readRetry(reader: DocumentReader, name: string, value: unknown, field: string): RetryPolicy {
  const spec = reader.mapping(value, field) ?? {};
  reader.fields(spec, field, ['policy', 'duration', 'maxInterval', 'maxRetries', 'matching']);
  const policyText = reader.string(spec.policy, `${field}.policy`);
  let policy = RETRY_DEFAULTS.policy;
  if (policyText !== undefined && policyText !== '') {
    const lower = policyText.toLowerCase();
    if (lower !== 'constant' && lower !== 'exponential') {
      reader.fail(
        'RESILIENCY_INVALID_VALUE',
        `${field}.policy`,
        `"${policyText}" is not a back-off policy`,
        'use "constant" (fixed duration between retries) or "exponential"',
      );
    }
    policy = lower as RetryPolicy['policy'];
  }
  const durationMs = reader.duration(spec.duration, `${field}.duration`, 'interval');
  const maxIntervalMs = reader.duration(spec.maxInterval, `${field}.maxInterval`, 'interval');
  const maxRetries = reader.integer(
    spec.maxRetries,
    `${field}.maxRetries`,
    -1,
    'use -1 for unlimited retries, 0 for none, or a positive count',
  );
  if (policy === 'exponential' && durationMs !== undefined) {
    reader.warn(
      'ignored-field',
      `${field}.duration`,
      'exponential back-off ignores duration: it starts at 500ms and grows ×1.5 up to maxInterval',
    );
  }
  if (policy === 'constant' && maxIntervalMs !== undefined) {
    reader.warn('ignored-field', `${field}.maxInterval`, 'constant back-off ignores maxInterval: every retry waits duration');
  }
  if (policy === 'exponential' && maxIntervalMs === 0) {
    reader.warn(
      'zero-interval',
      `${field}.maxInterval`,
      'maxInterval 0 makes every exponential wait after the first one 0: retries run back to back',
    );
  }
  const matchingSpec = reader.mapping(spec.matching, `${field}.matching`);
  let matching: StatusCodeMatch = RETRY_DEFAULTS.matching;
  if (matchingSpec) {
    reader.fields(matchingSpec, `${field}.matching`, ['httpStatusCodes', 'gRPCStatusCodes'], {
      grpcStatusCodes: 'the field is spelt "gRPCStatusCodes"',
    });
    const http = reader.string(matchingSpec.httpStatusCodes, `${field}.matching.httpStatusCodes`) ?? '';
    const grpc = reader.string(matchingSpec.gRPCStatusCodes, `${field}.matching.gRPCStatusCodes`) ?? '';
    matching = {
      httpStatusCodes: inContext(reader, `${field}.matching`, () => parseStatusCodes(http, 'http')),
      grpcStatusCodes: inContext(reader, `${field}.matching`, () => parseStatusCodes(grpc, 'grpc')),
    };
  }
  let retries = maxRetries ?? RETRY_DEFAULTS.maxRetries;
  if (isBuiltInRetryName(name)) {
    if (PROTECTED_RETRY_NAMES.includes(name)) {
      reader.warn('protected-built-in', field, `daprd does not let a spec redefine ${name}; it ignores this definition and keeps its own`);
    } else if (retries < BUILT_IN_MIN_RETRIES) {
      reader.warn(
        'built-in-raised',
        `${field}.maxRetries`,
        `daprd raises a redefined ${name} to at least ${BUILT_IN_MIN_RETRIES} retries, so maxRetries ${maxRetries === undefined ? '(default -1, unlimited)' : maxRetries === -1 ? '-1 (unlimited)' : maxRetries} becomes ${BUILT_IN_MIN_RETRIES}`,
      );
      retries = BUILT_IN_MIN_RETRIES;
    }
  }
  return retryPolicy(name, {
    policy,
    ...(durationMs !== undefined ? { durationMs } : {}),
    ...(maxIntervalMs !== undefined ? { maxIntervalMs } : {}),
    maxRetries: retries,
    matching,
  });
}

function readCircuitBreaker(reader: DocumentReader, name: string, value: unknown, field: string): CircuitBreakerPolicy {
  const spec = reader.mapping(value, field) ?? {};
  reader.fields(spec, field, ['maxRequests', 'interval', 'timeout', 'trip']);
  const maxRequests = reader.integer(
    spec.maxRequests,
    `${field}.maxRequests`,
    0,
    'give the number of trial calls let through while half-open (default 1)',
  );
  const intervalMs = reader.duration(spec.interval, `${field}.interval`, 'interval');
  const timeoutMs = reader.duration(spec.timeout, `${field}.timeout`, 'timeout');
  if (timeoutMs === 0)
    reader.warn('zero-breaker-timeout', `${field}.timeout`, 'timeout 0 falls back to the default: the breaker stays open 60s');
  const trip = reader.string(spec.trip, `${field}.trip`);
  const parsedTrip = trip === undefined || trip === '' ? undefined : inContext(reader, `${field}.trip`, () => parseTripExpression(trip));
  return circuitBreakerPolicy(name, {
    ...(maxRequests !== undefined ? { maxRequests } : {}),
    ...(intervalMs !== undefined ? { intervalMs } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(parsedTrip ? { trip: parsedTrip } : {}),
  });
}

function readRefs(reader: DocumentReader, spec: Record<string, unknown>, field: string): PolicyRefs {
  const refs: PolicyRefs = {};
  for (const kind of Object.keys(REF_KINDS) as RefKind[]) {
    const name = reader.string(spec[kind], `${field}.${kind}`);
    if (name) refs[kind] = name;
  }
  return refs;
}

function readPolicies(reader: DocumentReader, value: unknown): ResiliencyDocument['policies'] {
  const policies: ResiliencyDocument['policies'] = { timeouts: {}, retries: {}, circuitBreakers: {} };
  const spec = reader.mapping(value, 'spec.policies');
  if (!spec) return policies;
  reader.fields(spec, 'spec.policies', ['timeouts', 'retries', 'circuitBreakers'], {
    circuitBreaker: 'the section is "circuitBreakers"',
    timeout: 'the section is "timeouts"',
    retry: 'the section is "retries"',
  });
  for (const [name, duration] of Object.entries(reader.mapping(spec.timeouts, 'spec.policies.timeouts') ?? {})) {
    const field = `spec.policies.timeouts.${name}`;
    const timeoutMs = reader.duration(duration, field, 'timeout');
    if (timeoutMs === undefined) reader.fail('RESILIENCY_INVALID_DURATION', field, 'has no value', DURATION_HINT);
    if (timeoutMs === 0) reader.warn('zero-timeout', field, 'a timeout of 0 sets no timeout at all');
    policies.timeouts[name] = timeoutPolicy(name, timeoutMs as number);
  }
  for (const [name, retry] of Object.entries(reader.mapping(spec.retries, 'spec.policies.retries') ?? {})) {
    policies.retries[name] = readRetry(reader, name, retry, `spec.policies.retries.${name}`);
  }
  for (const [name, breaker] of Object.entries(reader.mapping(spec.circuitBreakers, 'spec.policies.circuitBreakers') ?? {})) {
    policies.circuitBreakers[name] = readCircuitBreaker(reader, name, breaker, `spec.policies.circuitBreakers.${name}`);
  }
  return policies;
}

function readTargets(reader: DocumentReader, value: unknown): ResiliencyDocument['targets'] {
  const targets: ResiliencyDocument['targets'] = { apps: {}, actors: {}, components: {} };
  const spec = reader.mapping(value, 'spec.targets');
  if (!spec) return targets;
  reader.fields(spec, 'spec.targets', ['apps', 'actors', 'components'], {
    app: 'the section is "apps"',
    component: 'the section is "components"',
    actor: 'the section is "actors"',
  });
  const cacheHint = 'give a positive number of breakers to keep, or leave it out for the default';
  for (const [appId, entry] of Object.entries(reader.mapping(spec.apps, 'spec.targets.apps') ?? {})) {
    const field = `spec.targets.apps.${appId}`;
    const t = reader.mapping(entry, field) ?? {};
    reader.fields(t, field, ['timeout', 'retry', 'circuitBreaker', 'circuitBreakerCacheSize']);
    targets.apps[appId] = {
      ...readRefs(reader, t, field),
      circuitBreakerCacheSize: reader.integer(t.circuitBreakerCacheSize, `${field}.circuitBreakerCacheSize`, 0, cacheHint) ?? 0,
    };
  }
  for (const [actorType, entry] of Object.entries(reader.mapping(spec.actors, 'spec.targets.actors') ?? {})) {
    const field = `spec.targets.actors.${actorType}`;
    const t = reader.mapping(entry, field) ?? {};
    reader.fields(t, field, ['timeout', 'retry', 'circuitBreaker', 'circuitBreakerScope', 'circuitBreakerCacheSize']);
    const refs = readRefs(reader, t, field);
    const scope = reader.string(t.circuitBreakerScope, `${field}.circuitBreakerScope`) || undefined;
    if (scope !== undefined && !['type', 'id', 'both'].includes(scope)) {
      reader.fail(
        'RESILIENCY_INVALID_VALUE',
        `${field}.circuitBreakerScope`,
        `"${scope}" is not a circuit breaker scope`,
        'use "type" (one breaker per actor type), "id" (one per actor) or "both"',
      );
    }
    if (refs.circuitBreaker && scope === undefined) {
      reader.fail(
        'RESILIENCY_INVALID_VALUE',
        `${field}.circuitBreakerScope`,
        'an actor circuit breaker needs a scope; without it daprd rejects the targets of this document',
        'add circuitBreakerScope: type, id or both',
      );
    }
    if (!refs.circuitBreaker && scope !== undefined)
      reader.warn('ignored-field', `${field}.circuitBreakerScope`, 'circuitBreakerScope does nothing without a circuitBreaker');
    targets.actors[actorType] = {
      ...refs,
      ...(scope !== undefined ? { circuitBreakerScope: scope as ActorBreakerScope } : {}),
      circuitBreakerCacheSize: reader.integer(t.circuitBreakerCacheSize, `${field}.circuitBreakerCacheSize`, 0, cacheHint) ?? 0,
    };
  }
  const flatRefs =
    'component targets take "outbound:" (calls to the component) and/or "inbound:" (deliveries to the app); put it under one of them';
  for (const [name, entry] of Object.entries(reader.mapping(spec.components, 'spec.targets.components') ?? {})) {
    const field = `spec.targets.components.${name}`;
    const t = reader.mapping(entry, field) ?? {};
    reader.fields(t, field, ['inbound', 'outbound'], { retry: flatRefs, timeout: flatRefs, circuitBreaker: flatRefs });
    const target: ComponentTarget = { inbound: {}, outbound: {}, declared: [] };
    for (const direction of ['outbound', 'inbound'] as const) {
      if (!(direction in t)) continue;
      target.declared.push(direction);
      const refs = reader.mapping(t[direction], `${field}.${direction}`) ?? {};
      reader.fields(refs, `${field}.${direction}`, ['timeout', 'retry', 'circuitBreaker']);
      target[direction] = readRefs(reader, refs, `${field}.${direction}`);
    }
    targets.components[name] = target;
  }
  return targets;
}

/** One already-parsed Resiliency object (a YAML document or a Kubernetes resource). */
export function parseResiliencyObject(value: unknown, source = 'Resiliency object'): ResiliencyDocument {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw usageError(
      'RESILIENCY_NOT_RESILIENCY',
      `${source}: expected a Resiliency resource, found ${describeValue(value)}`,
      'give a mapping with apiVersion: dapr.io/v1alpha1, kind: Resiliency and a spec',
    );
  }
  const obj = value as Record<string, unknown>;
  if (obj.kind !== 'Resiliency') {
    throw usageError(
      'RESILIENCY_NOT_RESILIENCY',
      `${source}: kind is ${obj.kind === undefined ? 'missing' : `"${String(obj.kind)}"`}, not "Resiliency"`,
      'set kind: Resiliency, or pass only Resiliency resources',
    );
  }
  const metadata = (obj.metadata && typeof obj.metadata === 'object' ? obj.metadata : {}) as Record<string, unknown>;
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : undefined;
  const reader = new DocumentReader(source);
  if (obj.apiVersion !== undefined && obj.apiVersion !== RESILIENCY_API_VERSION) {
    reader.fail(
      'RESILIENCY_INVALID_VALUE',
      'apiVersion',
      `"${String(obj.apiVersion)}" is not ${RESILIENCY_API_VERSION}`,
      `set apiVersion: ${RESILIENCY_API_VERSION}`,
    );
  }
  // `version` appears in the spec reference's format block; daprd ignores it, as it ignores a Kubernetes status.
  reader.fields(obj, 'Resiliency', ['apiVersion', 'kind', 'metadata', 'spec', 'scopes', 'version', 'status'], {
    scope: 'the field is "scopes" (a list of app ids)',
  });
  const spec = reader.mapping(obj.spec, 'spec') ?? {};
  reader.fields(spec, 'spec', ['policies', 'targets'], { scopes: 'scopes sit at the top level of the resource, beside spec' });
  let scopes: string[] = [];
  if (obj.scopes !== undefined && obj.scopes !== null) {
    if (!Array.isArray(obj.scopes))
      reader.fail(
        'RESILIENCY_INVALID_VALUE',
        'scopes',
        `expected a list of app ids, found ${describeValue(obj.scopes)}`,
        'write scopes as a YAML list: "- app-id" lines',
      );
    scopes = [...new Set((obj.scopes as unknown[]).map((s, i) => reader.string(s, `scopes[${i}]`) ?? ''))].filter((s) => s !== '');
  }
  const policies = readPolicies(reader, spec.policies);
  const targets = readTargets(reader, spec.targets);
  return { name, ...(namespace ? { namespace } : {}), scopes, source, policies, targets, warnings: reader.warnings };
}

/** Every Resiliency in a YAML text (multi-document text is read in full, as kubectl would). Other kinds are skipped. */
export function parseResiliencyYaml(text: string, source = '<inline YAML>'): ResiliencyDocument[] {
  return yamlDocuments(text, source)
    .filter((d) => isResiliency(d.value))
    .map((d) => parseResiliencyObject(d.value, d.label));
}

function yamlDocuments(text: string, source: string): Array<{ value: unknown; label: string }> {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [];
  return list.map((doc, i) => {
    const label = list.length > 1 ? `${source} (document ${i + 1})` : source;
    const first = doc.errors[0];
    if (first) {
      const pos = first.linePos?.[0];
      const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
      throw usageError(
        'RESILIENCY_INVALID_YAML',
        `${label}: YAML does not parse${where}: ${first.message.split('\n')[0]}`,
        'fix the YAML syntax (indentation, quoting, duplicate keys)',
      );
    }
    return { value: doc.toJS() as unknown, label };
  });
}

function isResiliency(value: unknown): boolean {
  return value !== null && typeof value === 'object' && (value as Record<string, unknown>).kind === 'Resiliency';
}

export interface LoadOptions {
  /**
   * daprd in self-hosted mode reads only the first YAML document of each file in a resources directory; a
   * Resiliency further down is never loaded, which we report as an error. Off: read every document (Kubernetes).
   */
  selfHosted?: boolean;
}

/**
 * Resiliency documents from files and resource directories. A directory is read as daprd reads a resources path:
 * its .yaml/.yml files (not subdirectories) in name order, keeping kind Resiliency.
 */
export function loadResiliencyFiles(paths: string[], options: LoadOptions = {}): ResiliencyDocument[] {
  const selfHosted = options.selfHosted ?? true;
  const out: ResiliencyDocument[] = [];
  for (const path of paths) {
    if (!existsSync(path))
      throw usageError(
        'RESILIENCY_FILE_NOT_FOUND',
        `${path}: no such file or directory`,
        'pass the path of a Resiliency YAML file or of a resources directory',
      );
    const isDir = statSync(path).isDirectory();
    const files = isDir
      ? readdirSync(path, { withFileTypes: true })
          .filter((e) => e.isFile() && ['.yaml', '.yml'].includes(extname(e.name).toLowerCase()))
          .map((e) => join(path, e.name))
          .sort()
      : [path];
    const before = out.length;
    for (const file of files) {
      const docs = yamlDocuments(readFileSync(file, 'utf8'), file);
      docs.forEach((doc, i) => {
        if (!isResiliency(doc.value)) return;
        if (selfHosted && i > 0) {
          throw usageError(
            'RESILIENCY_NOT_FIRST_DOCUMENT',
            `${doc.label}: daprd in self-hosted mode reads only the first YAML document of a file, so it never loads this Resiliency`,
            'move the Resiliency into a file of its own',
          );
        }
        out.push(parseResiliencyObject(doc.value, doc.label));
      });
    }
    if (!isDir && out.length === before) {
      throw usageError(
        'RESILIENCY_NOT_RESILIENCY',
        `${path}: holds no document with kind: Resiliency`,
        'pass a Resiliency file, or the resources directory that holds one',
      );
    }
  }
  return out;
}

/**
 * Documents from a mix of inputs: paths (files or directories), `{ yaml, source }` texts and parsed objects. Policy
 * references are checked across the whole set, since daprd merges every document a sidecar loads.
 */
export function parseResiliencyDocuments(inputs: ResiliencyInput[], options: LoadOptions = {}): ResiliencyDocument[] {
  const docs: ResiliencyDocument[] = [];
  inputs.forEach((given, i) => {
    if (typeof given === 'string') {
      docs.push(...loadResiliencyFiles([given], options));
      return;
    }
    const input = given as Record<string, unknown>;
    if (typeof input.yaml === 'string' && input.kind === undefined) {
      const parsed = parseResiliencyYaml(input.yaml, typeof input.source === 'string' ? input.source : `<inline YAML ${i + 1}>`);
      if (parsed.length === 0)
        throw usageError(
          'RESILIENCY_NOT_RESILIENCY',
          `${String(input.source ?? `inline YAML ${i + 1}`)}: holds no document with kind: Resiliency`,
          'pass Resiliency YAML',
        );
      docs.push(...parsed);
    } else {
      const metadata = (input.metadata ?? {}) as Record<string, unknown>;
      const label =
        typeof input.source === 'string'
          ? input.source
          : `Resiliency ${[metadata.namespace, metadata.name].filter((p) => typeof p === 'string').join('/') || `#${i + 1}`}`;
      const { source: _source, ...resource } = input;
      docs.push(parseResiliencyObject(resource, label));
    }
  });
  checkPolicyReferences(docs);
  return docs;
}

/**
 * Every policy a target names must be defined in some document of the set (built-in retries count as defined).
 * daprd would silently leave such a target without that policy.
 */
export function checkPolicyReferences(docs: ResiliencyDocument[]): void {
  const defined = {
    timeout: new Set(docs.flatMap((d) => Object.keys(d.policies.timeouts))),
    retry: new Set(docs.flatMap((d) => Object.keys(d.policies.retries))),
    circuitBreaker: new Set(docs.flatMap((d) => Object.keys(d.policies.circuitBreakers))),
  };
  const check = (doc: ResiliencyDocument, refs: PolicyRefs, field: string): void => {
    for (const kind of Object.keys(REF_KINDS) as RefKind[]) {
      const name = refs[kind];
      if (!name || defined[kind].has(name) || (kind === 'retry' && isBuiltInRetryName(name))) continue;
      const section = REF_KINDS[kind];
      const known = [...defined[kind]];
      const near = nearestName(name, known);
      const elsewhere = (Object.keys(REF_KINDS) as RefKind[]).filter((k) => k !== kind && defined[k].has(name)).map((k) => REF_KINDS[k]);
      const problem =
        `no ${kind === 'circuitBreaker' ? 'circuit breaker' : kind} policy named "${name}"` +
        (near ? ` (did you mean "${near}"?)` : '') +
        (elsewhere.length ? ` — "${name}" is defined under ${elsewhere.join(' and ')}, not ${section}` : '') +
        '; daprd would apply nothing here';
      throw usageError(
        'RESILIENCY_UNKNOWN_POLICY',
        `${doc.source}: ${field}.${kind}: ${problem}`,
        `define it under spec.policies.${section} or use one of: ${known.length ? known.join(', ') : `(no ${section} defined)`}`,
      );
    }
  };
  for (const doc of docs) {
    for (const [id, t] of Object.entries(doc.targets.apps)) check(doc, t, `spec.targets.apps.${id}`);
    for (const [type, t] of Object.entries(doc.targets.actors)) check(doc, t, `spec.targets.actors.${type}`);
    for (const [name, t] of Object.entries(doc.targets.components)) {
      check(doc, t.outbound, `spec.targets.components.${name}.outbound`);
      check(doc, t.inbound, `spec.targets.components.${name}.inbound`);
    }
  }
}
