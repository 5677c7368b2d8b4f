import { expect } from 'chai';
import { labelSelectorString } from './label-selector';

describe('labelSelectorString', () => {
  it('writes matchLabels and every expression operator the way the API server parses them', () => {
    expect(
      labelSelectorString({
        matchLabels: { app: 'orders', tier: 'api' },
        matchExpressions: [
          { key: 'env', operator: 'In', values: ['prod', 'staging'] },
          { key: 'canary', operator: 'NotIn', values: ['true'] },
          { key: 'team', operator: 'Exists' },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      }),
    ).to.equal('app=orders,tier=api,env in (prod,staging),canary notin (true),team,!legacy');
  });

  it('is empty for no selector, and refuses an operator it does not know', () => {
    expect(labelSelectorString(undefined)).to.equal('');
    expect(() => labelSelectorString({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] })).to.throw(
      'unknown label selector operator Gt',
    );
  });
});
