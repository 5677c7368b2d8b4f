import { expect } from 'chai';
import { classifyStatus, classifyTransportError, DriverTimeoutError } from './error-kind';

function withCode(code: string): Error {
  return Object.assign(new Error(code), { code });
}

describe('error kinds', () => {
  it('treats 2xx as success and names any other status', () => {
    expect(classifyStatus(200)).to.equal(undefined);
    expect(classifyStatus(204)).to.equal(undefined);
    expect(classifyStatus(299)).to.equal(undefined);
    expect(classifyStatus(199)).to.equal('http_199');
    expect(classifyStatus(304)).to.equal('http_304');
    expect(classifyStatus(429)).to.equal('http_429');
    expect(classifyStatus(500)).to.equal('http_500');
  });

  it('names transport failures by what a user would call them', () => {
    expect(classifyTransportError(new DriverTimeoutError(100))).to.equal('timeout');
    expect(classifyTransportError(withCode('UND_ERR_HEADERS_TIMEOUT'))).to.equal('timeout');
    expect(classifyTransportError(withCode('UND_ERR_CONNECT_TIMEOUT'))).to.equal('timeout');
    expect(classifyTransportError(withCode('ECONNREFUSED'))).to.equal('connection_refused');
    expect(classifyTransportError(withCode('ECONNRESET'))).to.equal('reset');
    expect(classifyTransportError(withCode('UND_ERR_SOCKET'))).to.equal('reset');
    expect(classifyTransportError(withCode('ENOTFOUND'))).to.equal('dns');
  });

  it('looks inside AggregateError and causes, and never loses an unknown failure', () => {
    expect(classifyTransportError(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]))).to.equal('connection_refused');
    expect(classifyTransportError(new Error('wrapped', { cause: withCode('ECONNRESET') }))).to.equal('reset');
    expect(classifyTransportError(withCode('UND_ERR_WEIRD'))).to.equal('transport_weird');
    expect(classifyTransportError(new Error('no code'))).to.equal('transport');
    expect(classifyTransportError(undefined)).to.equal('transport');
  });
});
