import { isMap, isScalar, isSeq, type LineCounter, type Node } from 'yaml';

/**
 * A read-only view of a YAML node that remembers where it was written. A child reached through a mapping key
 * points at the key's line, which is where a reader looks for it (`annotations:`), not at its first entry.
 */
export class YamlNode {
  constructor(
    readonly node: Node | null,
    private readonly lines: LineCounter,
    private readonly anchorOffset: number,
  ) {}

  get line(): number {
    return this.lines.linePos(this.anchorOffset).line;
  }

  get column(): number {
    return this.lines.linePos(this.anchorOffset).col;
  }

  get isMap(): boolean {
    return isMap(this.node);
  }

  get isSeq(): boolean {
    return isSeq(this.node);
  }

  /** The value under `key` when this is a mapping; undefined when absent or when this is not a mapping. */
  get(key: string): YamlNode | undefined {
    if (!isMap(this.node)) return undefined;
    for (const pair of this.node.items) {
      if (isScalar(pair.key) && String(pair.key.value) === key) {
        const keyNode = pair.key as Node;
        return new YamlNode((pair.value as Node | null) ?? null, this.lines, keyNode.range?.[0] ?? this.anchorOffset);
      }
    }
    return undefined;
  }

  /** Follows a path of mapping keys. */
  at(...path: string[]): YamlNode | undefined {
    return path.reduce<YamlNode | undefined>((cur, key) => cur?.get(key), this);
  }

  /** Whether a mapping holds `key` at all (even with a null value). */
  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Mapping entries in order, each child anchored at its key. */
  entries(): Array<[string, YamlNode]> {
    if (!isMap(this.node)) return [];
    return this.node.items.flatMap((pair): Array<[string, YamlNode]> => {
      if (!isScalar(pair.key)) return [];
      const keyNode = pair.key as Node;
      return [
        [String(pair.key.value), new YamlNode((pair.value as Node | null) ?? null, this.lines, keyNode.range?.[0] ?? this.anchorOffset)],
      ];
    });
  }

  /** Sequence items in order. */
  items(): YamlNode[] {
    if (!isSeq(this.node)) return [];
    return this.node.items.map((item) => {
      const n = item as Node | null;
      return new YamlNode(n, this.lines, n?.range?.[0] ?? this.anchorOffset);
    });
  }

  /** A scalar as Kubernetes and Dapr read it into a string field: numbers and booleans as written. */
  str(): string | undefined {
    if (!isScalar(this.node) || this.node.value === null || this.node.value === undefined) return undefined;
    const v = this.node.value;
    return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' ? String(v) : undefined;
  }

  /** `true`/`"true"` (case-insensitive), as Dapr's annotation and flag parsing accept them. */
  bool(): boolean | undefined {
    const s = this.str()?.trim().toLowerCase();
    if (s === 'true' || s === 'yes' || s === 'on' || s === '1') return true;
    if (s === 'false' || s === 'no' || s === 'off' || s === '0') return false;
    return undefined;
  }

  num(): number | undefined {
    const s = this.str();
    if (s === undefined || s.trim() === '') return undefined;
    const n = Number(s);
    return Number.isFinite(n) ? n : undefined;
  }

  /** Whether the node holds something (not missing, not null, not an empty string). */
  get present(): boolean {
    if (this.node === null) return false;
    if (isScalar(this.node)) return this.node.value !== null && this.node.value !== '';
    return true;
  }

  toJS(): unknown {
    return this.node === null ? null : (this.node as { toJSON?: () => unknown }).toJSON?.();
  }
}
