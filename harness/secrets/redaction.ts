/**
 * Secrets the harness knows of (API tokens, control tokens, passwords from the environment). Everything the
 * harness writes — results, reports, audit and progress lines — passes through redact() first.
 */
const secrets = new Set<string>();
export const REDACTED = '[REDACTED]';

/** Names of environment variables whose values are secrets. */
const SECRET_ENV = /(^|_)(TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|PRIVATE_KEY|CREDENTIALS?)$/i;

/** Values shorter than this are not treated as secrets: replacing "1" everywhere would destroy the output. */
const MIN_SECRET_LENGTH = 6;

export function registerSecret(value: string | undefined): void {
  if (value && value.length >= MIN_SECRET_LENGTH) secrets.add(value);
}

export function registerSecretsFromEnv(env: NodeJS.ProcessEnv = process.env): void {
  for (const [name, value] of Object.entries(env)) if (SECRET_ENV.test(name)) registerSecret(value);
}

export function redact(text: string): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

/** A deep copy with every string redacted (object keys included). */
export function redactDeep<T>(value: T): T {
  if (secrets.size === 0) return value;
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map(redactDeep) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), redactDeep(v)])) as T;
  }
  return value;
}

/** For tests: forget every registered secret. */
export function clearSecrets(): void {
  secrets.clear();
}
