import { connect } from 'nats';

export interface JetStreamStatus {
  enabled: boolean;
  /** Why JetStream is taken to be off (the server's answer). */
  reason?: string;
  /** Streams the server has. */
  streams: string[];
  /** Of the expected streams, those it lacks. */
  missing: string[];
}

/**
 * Asks a NATS server through the JetStream API (account info, stream list) whether JetStream is on and holds the
 * expected streams. A plain NATS server answers the API with "no responders" or "JetStream not enabled".
 */
export async function jetStreamStatus(url: string, expected: string[]): Promise<JetStreamStatus> {
  const nc = await connect({ servers: url, timeout: 5000 });
  try {
    let jsm;
    try {
      jsm = await nc.jetstreamManager({ timeout: 5000 });
    } catch (err) {
      return { enabled: false, reason: (err as Error).message, streams: [], missing: expected };
    }
    const streams: string[] = [];
    for await (const s of jsm.streams.list()) streams.push(s.config.name);
    return { enabled: true, streams, missing: expected.filter((e) => !streams.includes(e)) };
  } finally {
    await nc.close();
  }
}
