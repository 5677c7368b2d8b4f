import { existsSync, readFileSync } from 'node:fs';

/**
 * The local addresses on which something listens on TCP `port`, from the kernel's socket tables (Linux), in
 * dotted or colon form; "0.0.0.0" and "::" mean every interface. Reading the table sends no traffic.
 */
export function listeningAddresses(port: number): string[] {
  const out: string[] = [];
  for (const [file, v6] of [
    ['/proc/net/tcp', false],
    ['/proc/net/tcp6', true],
  ] as const) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [address, portHex] = (fields[1] ?? '').split(':');
      if (fields[3] !== '0A' || !address || !portHex || parseInt(portHex, 16) !== port) continue;
      out.push(v6 ? ipv6(address) : ipv4(address));
    }
  }
  return out;
}

export function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/** The table holds the address as the kernel stores it: 32-bit words in host (little-endian) order. */
function ipv4(hex: string): string {
  return [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16)).join('.');
}

function ipv6(hex: string): string {
  if (/^0+$/.test(hex)) return '::';
  const words = [0, 8, 16, 24].map(
    (i) =>
      hex
        .slice(i, i + 8)
        .match(/../g)
        ?.reverse()
        .join('') ?? '',
  );
  const groups = words.join('').match(/.{4}/g) ?? [];
  const mapped = groups.slice(0, 6).join('') === '00000000000000000000ffff';
  return mapped ? ipv4(words[3]?.match(/../g)?.reverse().join('') ?? '') : groups.map((g) => g.replace(/^0+(?=.)/, '')).join(':');
}
