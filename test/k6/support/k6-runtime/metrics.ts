import { recording, type MetricType } from './recorder';

/** k6/metrics for scripts run under the test runtime: declaring registers the metric, every add() is a sample. */
abstract class Metric {
  protected constructor(
    readonly name: string,
    private readonly type: MetricType,
    readonly isTime: boolean,
  ) {
    if (!/^[a-zA-Z_][a-zA-Z0-9_]{0,127}$/.test(name)) throw new Error(`invalid k6 metric name "${name}"`);
    const known = recording.declared.get(name);
    if (known !== undefined && known !== type) throw new Error(`metric ${name} declared as ${known} and as ${type}`);
    recording.declared.set(name, type);
  }

  add(value: number | boolean, tags: Record<string, string> = {}): void {
    recording.samples.push({ metric: this.name, type: this.type, value: Number(value), tags: { ...tags } });
  }
}

export class Counter extends Metric {
  constructor(name: string, isTime = false) {
    super(name, 'counter', isTime);
  }
}

export class Gauge extends Metric {
  constructor(name: string, isTime = false) {
    super(name, 'gauge', isTime);
  }
}

export class Rate extends Metric {
  constructor(name: string, isTime = false) {
    super(name, 'rate', isTime);
  }
}

export class Trend extends Metric {
  constructor(name: string, isTime = false) {
    super(name, 'trend', isTime);
  }
}
