import { expect } from 'chai';
import { HarnessError } from '../errors/harness-error';
import { formatCodeRanges, isRetriedStatus, parseStatusCodes, RETRY_ALL, type StatusCodeMatch } from './status-code-match';

function rejection(text: string, protocol: 'http' | 'grpc'): HarnessError {
  try {
    parseStatusCodes(text, protocol);
  } catch (err) {
    expect(err).to.be.instanceOf(HarnessError);
    return err as HarnessError;
  }
  throw new Error(`expected "${text}" to be rejected`);
}

describe('retry matching on status codes', () => {
  it('parses the documented lists', () => {
    expect(parseStatusCodes('429,500-599', 'http')).to.deep.equal([
      { start: 429, end: 429 },
      { start: 500, end: 599 },
    ]);
    expect(parseStatusCodes('1-4,8-11,13,14', 'grpc')).to.deep.equal([
      { start: 1, end: 4 },
      { start: 8, end: 11 },
      { start: 13, end: 13 },
      { start: 14, end: 14 },
    ]);
    expect(formatCodeRanges(parseStatusCodes('429,500-599', 'http') ?? [])).to.equal('429,500-599');
  });

  it('reads an empty string as "no list" and skips empty entries as daprd does', () => {
    expect(parseStatusCodes('', 'http')).to.equal(null);
    expect(parseStatusCodes('500,,503,', 'http')).to.deep.equal([
      { start: 500, end: 500 },
      { start: 503, end: 503 },
    ]);
    expect(parseStatusCodes(',', 'http')).to.deep.equal([]);
  });

  it('retries only listed codes, telling gRPC codes (0-16) from HTTP statuses (100-599) by number', () => {
    const match: StatusCodeMatch = {
      httpStatusCodes: parseStatusCodes('429,500-599', 'http'),
      grpcStatusCodes: parseStatusCodes('4,14', 'grpc'),
    };
    expect(isRetriedStatus(match, 503)).to.equal(true);
    expect(isRetriedStatus(match, 429)).to.equal(true);
    expect(isRetriedStatus(match, 404)).to.equal(false);
    expect(isRetriedStatus(match, 14)).to.equal(true);
    expect(isRetriedStatus(match, 5)).to.equal(false);
    const httpOnly: StatusCodeMatch = { httpStatusCodes: parseStatusCodes('500', 'http'), grpcStatusCodes: null };
    expect(isRetriedStatus(httpOnly, 13)).to.equal(true);
    expect(isRetriedStatus({ httpStatusCodes: [], grpcStatusCodes: null }, 500)).to.equal(false);
  });

  it('retries every HTTP and gRPC error without a list, and never a number outside both ranges', () => {
    expect(isRetriedStatus(RETRY_ALL, 404)).to.equal(true);
    expect(isRetriedStatus(RETRY_ALL, 2)).to.equal(true);
    expect(isRetriedStatus(RETRY_ALL, 600)).to.equal(false);
    expect(isRetriedStatus(RETRY_ALL, 50)).to.equal(false);
  });

  it('rejects malformed lists with the field, the problem and an example', () => {
    const spaced = rejection('429, 500-599', 'http');
    expect(spaced.code).to.equal('RESILIENCY_INVALID_STATUS_CODES');
    expect(spaced.message).to.contain('httpStatusCodes').and.contain('contains a space');
    expect(spaced.hint).to.contain('"429,500-599"');
    expect(rejection('600', 'http').message).to.contain('600 is not a valid HTTP status (100-599)');
    expect(rejection('99', 'http').message).to.contain('99 is not a valid HTTP status');
    expect(rejection('17', 'grpc').message).to.contain('gRPCStatusCodes').and.contain('17 is not a valid gRPC code (0-16)');
    expect(rejection('503-500', 'http').message).to.contain('ends before it starts');
    expect(rejection('500-502-504', 'http').message).to.contain('is not a code or a start-end range');
    expect(rejection('5xx', 'http').message).to.contain('"5xx"');
    expect(rejection('-5', 'grpc').message).to.contain('"-5"');
  });
});
