import parsePrometheusTextFormat, { type PromFamily, type PromSample } from 'parse-prometheus-text-format';

export type Families = Map<string, PromFamily>;

/** Scrapes one Prometheus endpoint (a sidecar's metrics port) into families by name. */
export async function scrape(url: string): Promise<Families> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
  return new Map(parsePrometheusTextFormat(await res.text()).map((f) => [f.name, f]));
}

function matches(sample: PromSample, labels: Record<string, string>): boolean {
  return Object.entries(labels).every(([k, v]) => sample.labels?.[k] === v);
}

/**
 * The total of a family over the samples whose labels match: the value of counters and gauges, the count of
 * histograms and summaries. Absent family → 0.
 */
export function total(families: Families, name: string, labels: Record<string, string> = {}): number {
  const family = families.get(name);
  if (!family) return 0;
  return family.metrics.filter((m) => matches(m, labels)).reduce((sum, m) => sum + Number(m.count ?? m.value ?? 0), 0);
}
