import { expect } from 'chai';
import { basename } from 'node:path';
import { suiteFiles } from './suite-files';

describe('suite files', () => {
  it('runs the chaos suites alphabetically, with restarts, replacement and then outages last', () => {
    const names = suiteFiles(['chaos']).map((f) => basename(f, '.suite.ts'));
    expect(names.slice(-3)).to.deep.equal(['restarts', 'replacement', 'outages']);
    expect(names).to.include.members(['retries', 'timeouts', 'circuit-breaker', 'policy-coverage', 'pubsub-redelivery']);
    const head = names.slice(0, -3);
    expect(head).to.deep.equal([...head].sort());
  });
});
