import { Ajv, type ErrorObject } from 'ajv';
import { RESULTS_SCHEMA_VERSION, type RunResults } from './results-model';
import { componentMatrixSchema } from './component-matrix';

const num = { type: 'number' } as const;
const str = { type: 'string' } as const;
const scalarMap = { type: 'object', additionalProperties: { type: ['number', 'string', 'boolean'] } } as const;

/** JSON Schema of results.json v1; checked on every write and every read. */
export const resultsJsonSchema = {
  type: 'object',
  required: [
    'schemaVersion',
    'runId',
    'kind',
    'partial',
    'startedAt',
    'finishedAt',
    'target',
    'environment',
    'tests',
    'chaos',
    'metrics',
    'scenarios',
    'errors',
  ],
  properties: {
    schemaVersion: { const: RESULTS_SCHEMA_VERSION },
    runId: str,
    kind: { enum: ['acceptance', 'chaos', 'load', 'all', 'matrix'] },
    partial: { type: 'boolean' },
    startedAt: str,
    finishedAt: str,
    target: { type: 'object', required: ['kind'], properties: { kind: { enum: ['local', 'external', 'kubernetes'] }, description: str } },
    environment: {
      type: 'object',
      required: ['components'],
      properties: {
        daprVersion: str,
        components: {
          type: 'array',
          items: { type: 'object', required: ['name', 'type'], properties: { name: str, type: str, version: str } },
        },
        configurationDigest: str,
        resiliencyDigest: str,
        mtlsEnabled: { type: 'boolean' },
        host: str,
        node: str,
      },
    },
    tests: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'title', 'suitePath', 'tags', 'status', 'durationMs', 'measurements'],
        properties: {
          id: str,
          title: str,
          suitePath: { type: 'array', items: str },
          tags: { type: 'array', items: str },
          area: str,
          status: { enum: ['passed', 'failed', 'skipped'] },
          durationMs: num,
          failure: { type: 'object', required: ['message'], properties: { message: str, stack: str } },
          skip: {
            type: 'object',
            required: ['kind', 'reason'],
            properties: { kind: { enum: ['deselected', 'not-observable', 'unexplained'] }, reason: str },
          },
          deviation: { type: 'object', required: ['reason'], properties: { component: str, reason: str, link: str } },
          measurements: scalarMap,
        },
      },
    },
    chaos: {
      type: 'array',
      items: {
        type: 'object',
        required: ['probe', 'target', 'expected', 'observed', 'passed'],
        properties: {
          probe: str,
          target: str,
          policy: str,
          expected: scalarMap,
          observed: scalarMap,
          tolerance: { type: 'object', additionalProperties: num },
          passed: { type: 'boolean' },
          note: str,
        },
      },
    },
    metrics: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'kind', 'tags'],
        properties: {
          name: { type: 'string', pattern: '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$' },
          kind: { enum: ['rate', 'trend', 'counter', 'gauge'] },
          tags: { type: 'object', additionalProperties: str },
          rate: { type: 'number', minimum: 0, maximum: 1 },
          passes: num,
          fails: num,
          count: num,
          value: num,
          stats: { type: 'object', additionalProperties: num },
          unit: str,
          note: str,
        },
      },
    },
    scenarios: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'settings', 'timeline'],
        properties: {
          name: str,
          settings: scalarMap,
          timeline: { type: 'array', items: { type: 'object', required: ['t', 'requests', 'errors'], additionalProperties: num } },
          histograms: {
            type: 'object',
            additionalProperties: {
              type: 'array',
              items: { type: 'object', required: ['le', 'count'], properties: { le: num, count: num } },
            },
          },
          resources: {
            type: 'array',
            items: {
              type: 'object',
              required: ['process', 't', 'cpuPercent', 'rssMb'],
              properties: { process: str, t: num, cpuPercent: num, rssMb: num },
            },
          },
          notApplicable: str,
        },
      },
    },
    filter: { type: 'object', properties: { grep: str, areas: { type: 'array', items: str } } },
    capacity: {
      type: 'array',
      items: {
        type: 'object',
        required: ['scenario', 'criteriaFile', 'steps', 'endedBy'],
        properties: {
          scenario: str,
          criteriaFile: str,
          steps: {
            type: 'array',
            items: {
              type: 'object',
              required: ['ratePerSecond', 'met', 'broken'],
              properties: { met: { type: 'boolean' }, broken: { type: 'array', items: str } },
            },
          },
          endedBy: str,
        },
      },
    },
    securityReview: {
      type: 'object',
      required: ['paths', 'findings', 'suppressed', 'errors'],
      properties: {
        paths: { type: 'array', items: str },
        findings: {
          type: 'array',
          items: {
            type: 'object',
            required: ['ruleId', 'severity', 'file', 'line', 'message', 'fix'],
            properties: { ruleId: str, severity: str, file: str, line: num, message: str, fix: str },
          },
        },
        suppressed: {
          type: 'array',
          items: {
            type: 'object',
            required: ['ruleId', 'severity', 'file', 'line', 'reason'],
            properties: { ruleId: str, severity: str, file: str, line: num, reason: str },
          },
        },
        errors: {
          type: 'array',
          items: { type: 'object', required: ['file', 'line', 'message'], properties: { file: str, line: num, message: str } },
        },
      },
    },
    errors: { type: 'array', items: { type: 'object', required: ['code', 'message'], properties: { code: str, message: str } } },
    matrix: componentMatrixSchema,
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: false });
const validateFn = ajv.compile(resultsJsonSchema);

/** Problems with a results document, as `path: message` lines; empty when it is valid. */
export function resultsProblems(doc: unknown): string[] {
  if (validateFn(doc)) return [];
  return (validateFn.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'}: ${e.message ?? 'invalid'}`);
}

export function isRunResults(doc: unknown): doc is RunResults {
  return resultsProblems(doc).length === 0;
}
