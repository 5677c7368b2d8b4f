import { expect } from 'chai';
import { clearSecrets, redact, redactDeep, registerSecret, registerSecretsFromEnv, REDACTED } from './redaction';

describe('redaction', () => {
  afterEach(clearSecrets);

  it('replaces every occurrence of a registered secret', () => {
    registerSecret('s3cr3t-token-value');
    expect(redact('a s3cr3t-token-value b s3cr3t-token-value')).to.equal(`a ${REDACTED} b ${REDACTED}`);
  });

  it('takes secrets from environment variables with secret-like names only', () => {
    registerSecretsFromEnv({
      DAPR_API_TOKEN: 'tok-123456',
      APP_API_TOKEN: 'app-654321',
      REDIS_PASSWORD: 'pw-abcdef',
      HOME: '/root/home-dir',
    });
    expect(redact('tok-123456 app-654321 pw-abcdef /root/home-dir')).to.equal(`${REDACTED} ${REDACTED} ${REDACTED} /root/home-dir`);
  });

  it('ignores values too short to be secrets', () => {
    registerSecret('1');
    expect(redact('1 2 3')).to.equal('1 2 3');
  });

  it('redacts deep inside objects and arrays, keys included, without touching the original', () => {
    registerSecret('hunter2-long');
    const original = { a: ['x hunter2-long'], b: { 'hunter2-long': 1, n: 5 } };
    expect(redactDeep(original)).to.deep.equal({ a: [`x ${REDACTED}`], b: { [REDACTED]: 1, n: 5 } });
    expect(original.a[0]).to.equal('x hunter2-long');
  });
});
