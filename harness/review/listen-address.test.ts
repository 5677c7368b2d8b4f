import { expect } from 'chai';
import { isWildcardAddress, loopbackOnly } from './listen-address';

describe('listen addresses', () => {
  it('treats the injector default and 127.0.0.1 as loopback', () => {
    expect(loopbackOnly('[::1],127.0.0.1')).to.equal(true);
    expect(loopbackOnly('127.0.0.1')).to.equal(true);
  });
  it('treats empty (daprd self-hosted default), 0.0.0.0 and a pod address as reachable', () => {
    expect(loopbackOnly(undefined)).to.equal(false);
    expect(loopbackOnly('')).to.equal(false);
    expect(loopbackOnly('0.0.0.0')).to.equal(false);
    expect(loopbackOnly('127.0.0.1,10.0.0.5')).to.equal(false);
  });
  it('recognises wildcard bind addresses', () => {
    expect(isWildcardAddress('0.0.0.0')).to.equal(true);
    expect(isWildcardAddress('[::]')).to.equal(true);
    expect(isWildcardAddress('127.0.0.1')).to.equal(false);
  });
});
