import { expect } from 'chai';
import { editDistance, nearestName } from './nearest-name';

describe('nearestName', () => {
  it('suggests the closest candidate for a typo, ignoring case', () => {
    expect(nearestName('pubsub.delivery_rat', ['pubsub.delivery_rate', 'state.success_rate'])).to.equal('pubsub.delivery_rate');
    expect(nearestName('MaxRetries', ['maxRetries', 'duration'])).to.equal('maxRetries');
  });
  it('suggests nothing when no candidate is close', () => {
    expect(nearestName('zzzzzz', ['pubsub.delivery_rate', 'state.success_rate'])).to.equal(undefined);
    expect(nearestName('x', [])).to.equal(undefined);
  });
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('kitten', 'sitting')).to.equal(3);
    expect(editDistance('', 'abc')).to.equal(3);
    expect(editDistance('same', 'same')).to.equal(0);
  });
});
