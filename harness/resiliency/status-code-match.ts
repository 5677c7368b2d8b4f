import { usageError } from '../errors/harness-error';

/**
 * A retry policy's `matching`: which failed calls are retried by status code. Without a list every error is retried;
 * with one, only listed codes are, and any other status makes the failure permanent (no further attempts).
 */
export interface CodeRange {
  start: number;
  end: number;
}

export type StatusProtocol = 'http' | 'grpc';

export interface StatusCodeMatch {
  /** `null`: no list, so every HTTP error status is retried. */
  httpStatusCodes: CodeRange[] | null;
  /** `null`: no list, so every gRPC error code is retried. */
  grpcStatusCodes: CodeRange[] | null;
}

export const RETRY_ALL: StatusCodeMatch = { httpStatusCodes: null, grpcStatusCodes: null };

export const VALID_CODES: Record<StatusProtocol, CodeRange> = {
  http: { start: 100, end: 599 },
  grpc: { start: 0, end: 16 },
};

const FIELD: Record<StatusProtocol, string> = { http: 'httpStatusCodes', grpc: 'gRPCStatusCodes' };

function hint(protocol: StatusProtocol): string {
  const { start, end } = VALID_CODES[protocol];
  const example = protocol === 'http' ? '"429,500-599"' : '"4,8-11,14"';
  return `write comma-separated codes or start-end ranges without spaces, e.g. ${example} (${protocol === 'http' ? 'HTTP' : 'gRPC'} codes ${start}-${end})`;
}

/**
 * Parse a comma-separated list such as "429,500-599". An empty string means "no list" (retry everything), as in
 * daprd; a string of only commas is a list with nothing in it, so nothing is retried.
 */
export function parseStatusCodes(text: string, protocol: StatusProtocol): CodeRange[] | null {
  if (text === '') return null;
  const valid = VALID_CODES[protocol];
  const ranges: CodeRange[] = [];
  for (const part of text.split(',')) {
    if (part === '') continue;
    const fail = (why: string): never => {
      throw usageError('RESILIENCY_INVALID_STATUS_CODES', `${FIELD[protocol]} "${text}": ${why}`, hint(protocol));
    };
    const match = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!match) fail(/\s/.test(part) ? `"${part}" contains a space, which daprd rejects` : `"${part}" is not a code or a start-end range`);
    const start = Number(match?.[1]);
    const end = match?.[2] === undefined ? start : Number(match[2]);
    for (const code of [start, end]) {
      if (code < valid.start || code > valid.end)
        fail(`${code} is not a valid ${protocol === 'http' ? 'HTTP status' : 'gRPC code'} (${valid.start}-${valid.end})`);
    }
    if (end < start) fail(`range "${part}" ends before it starts`);
    ranges.push({ start, end });
  }
  return ranges;
}

/**
 * Whether a failure with this status is retried. daprd tells the protocol from the number itself: 0-16 are gRPC
 * codes, 100-599 HTTP statuses; anything else is never retried.
 */
export function isRetriedStatus(match: StatusCodeMatch, code: number): boolean {
  const inRange = (ranges: CodeRange[] | null): boolean => ranges === null || ranges.some((r) => r.start <= code && code <= r.end);
  if (code >= VALID_CODES.grpc.start && code <= VALID_CODES.grpc.end) return inRange(match.grpcStatusCodes);
  if (code >= VALID_CODES.http.start && code <= VALID_CODES.http.end) return inRange(match.httpStatusCodes);
  return false;
}

export function formatCodeRanges(ranges: CodeRange[]): string {
  return ranges.map((r) => (r.start === r.end ? String(r.start) : `${r.start}-${r.end}`)).join(',');
}
