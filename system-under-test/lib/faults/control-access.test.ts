import { expect } from 'chai';
import { controlAllowed, isLoopback } from './control-access';

describe('fault control access', () => {
  it('recognises loopback in IPv4, IPv6 and IPv4-mapped form', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) expect(isLoopback(a), a).to.equal(true);
    for (const a of ['10.0.0.5', '::ffff:10.0.0.5', '128.0.0.1', '', undefined]) expect(isLoopback(a), String(a)).to.equal(false);
  });

  it('lets loopback callers in without a token', () => {
    expect(controlAllowed('127.0.0.1', undefined, undefined)).to.equal(true);
    expect(controlAllowed('::1', undefined, 'secret')).to.equal(true);
  });

  it('refuses a remote caller unless it presents the configured token', () => {
    expect(controlAllowed('10.1.2.3', undefined, undefined)).to.equal(false);
    expect(controlAllowed('10.1.2.3', 'secret', undefined), 'no token configured: nobody remote gets in').to.equal(false);
    expect(controlAllowed('10.1.2.3', 'wrong', 'secret')).to.equal(false);
    expect(controlAllowed('10.1.2.3', '', '')).to.equal(false);
    expect(controlAllowed('10.1.2.3', 'secret', 'secret')).to.equal(true);
  });
});
