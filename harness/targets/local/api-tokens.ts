import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerSecret } from '../../secrets/redaction';

/** How a token was set: `false` turns it off; a string is used as given; left out, the environment's or a new one. */
export type TokenOption = string | false | undefined;

export interface RunToken {
  value?: string;
  /** generated: made for this run (its file is the one place it is written); given: from the option or environment. */
  source: 'generated' | 'given' | 'off';
  /** Where a generated token is kept for the user (mode 0600), e.g. to call a sidecar of a deployment left up. */
  file?: string;
}

/** What a run's description (deployment.json, current.json) says of a token: never its value. */
export type TokenDescription = Omit<RunToken, 'value'>;

/**
 * The reference deployment runs with an API token on every sidecar and an app API token on every app by default,
 * generated per run, so what it tests is a deployment locked down as production should be.
 */
export function runToken(option: TokenOption, envValue: string | undefined, secretsDir: string, fileName: string): RunToken {
  if (option === false) return { source: 'off' };
  const given = option ?? (envValue || undefined);
  if (given) {
    registerSecret(given);
    return { value: given, source: 'given' };
  }
  const value = randomBytes(32).toString('base64url');
  registerSecret(value);
  mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
  const file = join(secretsDir, fileName);
  writeFileSync(file, value, { mode: 0o600 });
  return { value, source: 'generated', file };
}

export function describeToken(t: RunToken): TokenDescription {
  return { source: t.source, ...(t.file ? { file: t.file } : {}) };
}
