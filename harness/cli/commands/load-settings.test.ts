import { expect } from 'chai';
import { LOAD_DEFAULTS } from '../../../load/scenarios';
import { chooseScenarios, loadSettings, type LoadOptions } from './load';

const flags = (o: Partial<LoadOptions>): LoadOptions =>
  ({ target: 'local', runFile: '.run/current.json', scenario: 'all', ...o }) as LoadOptions;

describe('load flags', () => {
  it('give the autoscale scenario its own bounds: --autoscale-time for the load, --scale-back for the wait after it', () => {
    const s = loadSettings(flags({ scenario: 'autoscale', autoscaleTime: '4m', scaleBack: '0' }));
    expect([s.autoscaleMs, s.scaleBackMs]).to.deep.equal([240_000, 0]);
    const d = loadSettings(flags({}));
    expect([d.autoscaleMs, d.scaleBackMs]).to.deep.equal([LOAD_DEFAULTS.autoscaleMs, LOAD_DEFAULTS.scaleBackMs]);
  });

  it('refuse a time that is not one, naming the flag', () => {
    expect(() => loadSettings(flags({ autoscaleTime: 'soon' }))).to.throw(/--autoscale-time/);
    expect(() => loadSettings(flags({ scaleBack: 'x' }))).to.throw(/--scale-back/);
  });

  it('choose scenarios by name, several comma-separated in their usual order, and refuse an unknown one naming it', () => {
    expect(chooseScenarios('state,invoke').map((s) => s.name)).to.deep.equal(['invoke', 'state']);
    expect(chooseScenarios('all').map((s) => s.name)).to.deep.equal(['invoke', 'pubsub', 'state', 'autoscale']);
    expect(() => chooseScenarios('invoke,bogus')).to.throw(/unknown scenario "bogus"/);
  });
});
