/**
 * How long a pub/sub component's client keeps trying to reconnect to its broker before it gives up, from the
 * component's metadata where it has a setting for it, else from the client library's defaults as the component
 * uses them (components-contrib v1.18). `undefined` ms: the client retries without limit.
 */
export interface ReconnectBudget {
  /** Longest time the client keeps reconnecting, jitter included; undefined: no limit. */
  ms: number | undefined;
  /** Where the figure comes from, for the record. */
  source: string;
}

type Metadata = Record<string, unknown>;

const seconds = (v: unknown, fallback: number): number => (v === undefined || v === '' ? fallback : Number(v));

const BUDGETS: Record<string, (m: Metadata) => ReconnectBudget> = {
  // pubsub/jetstream calls nats.Connect with none of nats.go's reconnect options, so nats.go's defaults apply:
  // MaxReconnect 60 attempts, ReconnectWait 2 s, ReconnectJitter 100 ms; after that the connection is closed
  // for good. The component has no metadata to change them.
  'pubsub.jetstream': () => {
    const attempts = 60;
    const waitMs = 2000;
    const jitterMs = 100;
    return {
      ms: attempts * (waitMs + jitterMs),
      source: `nats.go defaults the JetStream component keeps: MaxReconnect ${attempts} × (ReconnectWait ${waitMs} ms + jitter ${jitterMs} ms)`,
    };
  },
  // pubsub/rabbitmq reconnects on every failed publish or consume after reconnectWaitSeconds, without a limit.
  'pubsub.rabbitmq': (m) => ({
    ms: undefined,
    source: `the RabbitMQ component reconnects every reconnectWaitSeconds (${seconds(m.reconnectWaitSeconds, 3)} s) without a limit`,
  }),
  // go-redis dials a new connection for each command when the pool has none: no budget to exhaust.
  'pubsub.redis': () => ({ ms: undefined, source: 'go-redis dials again on every command, without a limit' }),
  // pubsub/mqtt3 sets paho's AutoReconnect and ConnectRetry, which retry without a limit (backing off to 10 min).
  'pubsub.mqtt3': () => ({ ms: undefined, source: 'paho AutoReconnect (set by the MQTT component) retries without a limit' }),
};

export function reconnectBudget(type: string, metadata: Metadata): ReconnectBudget | undefined {
  return BUDGETS[type]?.(metadata);
}

/**
 * The long outage a component is put through: beyond its own budget where it has one; where it has none, beyond
 * the longest budget of the pub/sub components the harness knows, so every broker faces the same outage that
 * exhausts the others. One reconnect interval more than the budget, so the last attempt has surely failed.
 */
export function longOutageMs(type: string, metadata: Metadata): { ms: number; why: string } {
  const own = reconnectBudget(type, metadata);
  const finite = Object.entries(BUDGETS)
    .map(([t, b]) => ({ type: t, budget: b({}) }))
    .filter((b) => b.budget.ms !== undefined);
  const longest = finite.sort((a, b) => (b.budget.ms ?? 0) - (a.budget.ms ?? 0))[0];
  const margin = 5000;
  if (own?.ms !== undefined) return { ms: own.ms + margin, why: `${own.source} = ${own.ms} ms, plus ${margin} ms` };
  const base = longest?.budget.ms ?? 0;
  return {
    ms: base + margin,
    why: `${own?.source ?? `${type}: no known reconnect budget`}; the outage is the longest known budget (${longest?.type}: ${base} ms) plus ${margin} ms`,
  };
}
