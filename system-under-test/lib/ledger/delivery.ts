import { isRecord } from '../field-checks';

/** The CloudEvent attributes a ledger keeps of the latest delivery of an event. */
export interface CloudEventFields {
  id?: string;
  source?: string;
  type?: string;
  specversion?: string;
  datacontenttype?: string;
  traceparent?: string;
  tracestate?: string;
  time?: string;
  topic?: string;
  pubsubname?: string;
}

const KEPT_FIELDS = [
  'id',
  'source',
  'type',
  'specversion',
  'datacontenttype',
  'traceparent',
  'tracestate',
  'time',
  'topic',
  'pubsubname',
] as const;

export interface Delivery {
  /** The publisher's own id (data.eventId), else the CloudEvent id. */
  eventId: string;
  cloudEventId: string | null;
  /** Epoch ms the publisher stamped (data.publishedAt), else the CloudEvent time, else null. */
  publishedAt: number | null;
  /** null when the delivery was not a CloudEvent at all. */
  cloudEvent: CloudEventFields | null;
  /** True when the event's data arrived as raw bytes (rawPayload) rather than as structured CloudEvent data. */
  raw: boolean;
}

export type ParsedDelivery = { ok: true; delivery: Delivery } | { ok: false; problem: string };

/**
 * Reads what a subscriber was sent, in each shape Dapr delivers:
 * - a CloudEvent with JSON `data` (the usual case);
 * - a CloudEvent with `data_base64`, which is how Dapr wraps a message for a subscription with rawPayload=true;
 * - plain JSON without CloudEvent attributes, when the publisher sent rawPayload=true to an ordinary subscription;
 * - bytes of another content type holding JSON.
 */
export function parseDelivery(body: unknown): ParsedDelivery {
  let doc: unknown = body;
  if (Buffer.isBuffer(body)) {
    const parsed = tryJson(body.toString('utf8'));
    if (parsed === undefined) return { ok: false, problem: 'delivery body is neither a CloudEvent nor JSON' };
    doc = parsed;
  }
  if (!isRecord(doc)) return { ok: false, problem: 'delivery body is not a JSON object' };

  if (typeof doc.specversion === 'string') {
    let raw = false;
    let data: unknown = doc.data;
    if (typeof doc.data_base64 === 'string') {
      raw = true;
      data = tryJson(Buffer.from(doc.data_base64, 'base64').toString('utf8'));
    } else if (typeof data === 'string') {
      data = tryJson(data) ?? data;
    }
    const cloudEvent: CloudEventFields = {};
    for (const f of KEPT_FIELDS) if (typeof doc[f] === 'string') cloudEvent[f] = doc[f] as string;
    const cloudEventId = cloudEvent.id ?? null;
    const eventId = eventIdOf(data) ?? cloudEventId;
    if (eventId === null) return { ok: false, problem: 'CloudEvent has neither data.eventId nor id' };
    const time = cloudEvent.time ? Date.parse(cloudEvent.time) : NaN;
    return {
      ok: true,
      delivery: { eventId, cloudEventId, publishedAt: publishedAtOf(data) ?? (Number.isNaN(time) ? null : time), cloudEvent, raw },
    };
  }

  const eventId = eventIdOf(doc);
  if (eventId === undefined) return { ok: false, problem: 'raw delivery has no eventId field' };
  return { ok: true, delivery: { eventId, cloudEventId: null, publishedAt: publishedAtOf(doc) ?? null, cloudEvent: null, raw: true } };
}

function eventIdOf(data: unknown): string | undefined {
  return isRecord(data) && typeof data.eventId === 'string' && data.eventId !== '' ? data.eventId : undefined;
}

function publishedAtOf(data: unknown): number | undefined {
  return isRecord(data) && typeof data.publishedAt === 'number' && Number.isFinite(data.publishedAt) ? data.publishedAt : undefined;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
