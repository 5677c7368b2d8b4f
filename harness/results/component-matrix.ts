/**
 * The component conformance matrix: the same deployment-level guarantees checked for each pub/sub and state
 * component, side by side. Rows are guarantees, columns are components; a cell says what the run found. The
 * matrix command fills it from the tests and chaos records of each component set's run (one results.json).
 */

export const MATRIX_COMPONENTS = {
  pubsub: ['nats', 'rabbitmq', 'redis-streams', 'mqtt'],
  state: ['redis', 'postgresql', 'mysql'],
} as const;

export type MatrixArea = keyof typeof MATRIX_COMPONENTS;
export type PubsubChoice = (typeof MATRIX_COMPONENTS.pubsub)[number];
export type StateChoice = (typeof MATRIX_COMPONENTS.state)[number];

/**
 * - passed / failed: the checks of the row ran against the component and held / did not hold;
 * - deviation: failed, acknowledged in known-deviations.yaml as the component's own behaviour;
 * - unsupported: the component does not declare the feature the row needs (its capabilities in daprd's metadata);
 * - missing: the row's check did not run (the run was cut short or narrowed), so nothing is known.
 */
export type MatrixCellStatus = 'passed' | 'failed' | 'deviation' | 'unsupported' | 'missing';

export interface MatrixCell {
  status: MatrixCellStatus;
  /** What decided it: the failure, the deviation's reason and link, the features the component declares. */
  detail?: string;
  /** Where the evidence is: the set's run directory (relative to the matrix run) and the test ids. */
  evidence?: { runDir: string; tests: string[] };
}

export interface MatrixColumn {
  area: MatrixArea;
  /** The choice's name on the command line, e.g. rabbitmq. */
  choice: string;
  /** The Dapr component type daprd loaded, e.g. pubsub.rabbitmq, and its version. */
  type?: string;
  version?: string;
  /** The features the component declares, from daprd's metadata API (e.g. ETAG, TRANSACTIONAL, TTL). */
  capabilities?: string[];
  /** The set's run directory, relative to the matrix run's. */
  runDir: string;
}

export interface MatrixRowResult {
  id: string;
  area: MatrixArea;
  title: string;
  cells: Record<string, MatrixCell>;
}

export interface ComponentMatrix {
  columns: MatrixColumn[];
  rows: MatrixRowResult[];
  /** What the matrix found about components, worded for a reader (e.g. a publisher that never recovers). */
  findings: string[];
}

/** How a row is decided from the tests (by title) and chaos checks of a set's run. */
export interface MatrixRowDefinition {
  id: string;
  area: MatrixArea;
  title: string;
  /** Titles of the tests whose outcome decides the cell; all must pass. */
  tests: string[];
  /** Checks of one chaos probe's record (its observed keys) that decide the cell instead of the whole test. */
  chaos?: { probe: string; keys: string[] };
  /** The feature the component must declare; without it the cell is `unsupported`. */
  feature?: string;
  /** Dapr emulates the feature when the component lacks it: the cell is decided by the tests, with a note. */
  emulatedByDapr?: boolean;
}

export const US2_DELIVERY = 'a created task reaches every subscriber';
export const US2_EXACTLY_ONCE = 'no subscriber receives a created task twice within the observation window';
export const US2_RAW = 'a raw payload (no CloudEvent envelope) published to the topic still reaches every subscriber';
export const US2_BULK = 'a bulk publish of 20 tasks reaches every subscriber, each event exactly once';
export const RETRY_PROBE =
  'a subscriber that answers RETRY to N deliveries gets the message again, as its inbound policy says, and finally processes it';
export const DROP_PROBE = 'a subscriber that answers DROP sends the message to the dead-letter topic';
const DROP_PROBE_NAME = 'DROP goes to the dead-letter topic';
const SHORT_OUTAGE_PROBE = 'broker restart loses no acknowledged publish';
const LONG_OUTAGE_PROBE = "broker outage beyond the client's reconnect budget";
/**
 * What an outage row holds the component to: nothing acknowledged is lost, and publishing works again after the
 * restart. Whether publishes were refused during the outage says how the client rode it out (buffering, or
 * failing fast), which the probe records, not a guarantee.
 */
const OUTAGE_GUARANTEES = ['lost', 'acknowledgedAfterRestart'];
export const SHORT_OUTAGE = "no acknowledged publish is lost when the pub/sub's broker restarts mid-traffic";
export const LONG_OUTAGE =
  "publishing recovers and no acknowledged publish is lost after a broker outage longer than the client's reconnect budget";
export const US3_ETAG = 'concurrent updates with the same ETag: exactly one wins, the other gets a conflict';
export const US3_TRANSACTION = 'a transaction is atomic: all of it applies, or none of it';
export const US3_TTL = 'an item saved with ttlInSeconds expires';
export const US3_BULK_GET = 'bulk get returns every key asked for, with values and ETags';
export const US3_ROUND_TRIP = 'save, get and delete round-trip through the sidecar';
export const QUERY_API = 'the query API returns the items whose value matches a filter';
export const STORE_OUTAGE =
  "state calls fail with a clear error while the state store's server is down, no sooner and no later than the policy's bounds, and succeed after it restarts";

export const MATRIX_ROWS: readonly MatrixRowDefinition[] = [
  { id: 'delivery', area: 'pubsub', title: 'delivery to every subscriber', tests: [US2_DELIVERY] },
  { id: 'exactly_once', area: 'pubsub', title: 'exactly once within the observation window', tests: [US2_EXACTLY_ONCE] },
  { id: 'retry', area: 'pubsub', title: 'redelivery on RETRY', tests: [RETRY_PROBE] },
  {
    id: 'drop',
    area: 'pubsub',
    title: 'DROP: not redelivered on the topic',
    tests: [DROP_PROBE],
    chaos: { probe: DROP_PROBE_NAME, keys: ['redeliveredOnTopic'] },
  },
  {
    id: 'dead_letter',
    area: 'pubsub',
    title: 'DROP: dead letter',
    tests: [DROP_PROBE],
    chaos: { probe: DROP_PROBE_NAME, keys: ['deadLettered'] },
  },
  { id: 'bulk_publish', area: 'pubsub', title: 'bulk publish', tests: [US2_BULK], feature: 'BULK_PUBLISH', emulatedByDapr: true },
  { id: 'raw_payload', area: 'pubsub', title: 'raw payload', tests: [US2_RAW] },
  {
    id: 'short_outage',
    area: 'pubsub',
    title: 'short broker outage: no acknowledged message lost, publishing recovers',
    tests: [SHORT_OUTAGE],
    chaos: { probe: SHORT_OUTAGE_PROBE, keys: OUTAGE_GUARANTEES },
  },
  {
    id: 'long_outage',
    area: 'pubsub',
    title: "outage beyond the client's reconnect budget: recovers, no acknowledged message lost",
    tests: [LONG_OUTAGE],
    chaos: { probe: LONG_OUTAGE_PROBE, keys: OUTAGE_GUARANTEES },
  },
  { id: 'round_trip', area: 'state', title: 'save, get, delete', tests: [US3_ROUND_TRIP] },
  { id: 'etag', area: 'state', title: 'ETag first-write-wins', tests: [US3_ETAG], feature: 'ETAG' },
  { id: 'transaction', area: 'state', title: 'transaction atomicity', tests: [US3_TRANSACTION], feature: 'TRANSACTIONAL' },
  { id: 'ttl', area: 'state', title: 'TTL', tests: [US3_TTL], feature: 'TTL' },
  { id: 'bulk_get', area: 'state', title: 'bulk get', tests: [US3_BULK_GET] },
  { id: 'query', area: 'state', title: 'query API', tests: [QUERY_API], feature: 'QUERY_API' },
  { id: 'store_outage', area: 'state', title: 'store outage: clear error, recovery after restart', tests: [STORE_OUTAGE] },
];

/**
 * The gate's name of a cell: `matrix.<area>.<component>.<row>`, e.g. matrix.state.postgresql.transaction; a metric
 * name has no dashes, so redis-streams is redis_streams there.
 */
export function matrixMetricName(area: MatrixArea, choice: string, rowId: string): string {
  return `matrix.${area}.${choice.replace(/-/g, '_')}.${rowId}`;
}

/** Every cell name the gate knows, so a misspelt one is caught with the nearest name. */
export function allMatrixMetricNames(): string[] {
  return MATRIX_ROWS.flatMap((r) => MATRIX_COMPONENTS[r.area].map((c) => matrixMetricName(r.area, c, r.id)));
}

const str = { type: 'string' } as const;
const strings = { type: 'array', items: str } as const;

/** The matrix section of results.json, as results-schema.ts validates it. */
export const componentMatrixSchema = {
  type: 'object',
  required: ['columns', 'rows', 'findings'],
  properties: {
    columns: {
      type: 'array',
      items: {
        type: 'object',
        required: ['area', 'choice', 'runDir'],
        properties: { area: { enum: ['pubsub', 'state'] }, choice: str, type: str, version: str, capabilities: strings, runDir: str },
      },
    },
    rows: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'area', 'title', 'cells'],
        properties: {
          id: str,
          area: { enum: ['pubsub', 'state'] },
          title: str,
          cells: {
            type: 'object',
            additionalProperties: {
              type: 'object',
              required: ['status'],
              properties: {
                status: { enum: ['passed', 'failed', 'deviation', 'unsupported', 'missing'] },
                detail: str,
                evidence: { type: 'object', required: ['runDir', 'tests'], properties: { runDir: str, tests: strings } },
              },
            },
          },
        },
      },
    },
    findings: strings,
  },
} as const;
