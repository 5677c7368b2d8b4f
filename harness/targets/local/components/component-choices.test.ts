import { expect } from 'chai';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HarnessError } from '../../../errors/harness-error';
import type { DaprResource } from '../dapr-resources';
import { applySelection, matrixSets, parseChoice, parseChoiceList, parseSelection } from './component-choices';

function usageErrorOf(fn: () => unknown): HarnessError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(HarnessError);
    return err as HarnessError;
  }
  throw new Error('expected a usage error');
}

const component = (name: string, type: string, file = 'x.yaml'): DaprResource => ({
  file,
  apiVersion: 'dapr.io/v1alpha1',
  kind: 'Component',
  name,
  body: { apiVersion: 'dapr.io/v1alpha1', kind: 'Component', metadata: { name }, spec: { type, version: 'v1', metadata: [] } },
});

describe('component choices', () => {
  it('an unknown name is a usage error naming every choice and the nearest', () => {
    const err = usageErrorOf(() => parseChoice('pubsub', 'rabitmq'));
    expect(err.kind).to.equal('usage');
    expect(err.message).to.contain('did you mean rabbitmq?');
    expect(err.hint).to.equal('use --pubsub nats, rabbitmq, redis-streams, mqtt');
    expect(usageErrorOf(() => parseSelection({ state: 'mongodb' })).hint).to.equal('use --state redis, postgresql, mysql');
  });

  it('defaults to NATS and Redis; a list keeps each choice once', () => {
    expect(parseSelection({})).to.deep.equal({ pubsub: 'nats', state: 'redis' });
    expect(parseChoiceList('state', 'mysql, postgresql,mysql')).to.deep.equal(['mysql', 'postgresql']);
    expect(parseChoiceList('pubsub', undefined)).to.have.length(4);
  });

  it('the matrix needs 4 + 3 deployments, the default set once for both areas', () => {
    const sets = matrixSets(['nats', 'rabbitmq', 'redis-streams', 'mqtt'], ['redis', 'postgresql', 'mysql']);
    expect(sets).to.have.length(6);
    expect(sets[0]).to.deep.equal({ selection: { pubsub: 'nats', state: 'redis' }, areas: ['pubsub', 'state'] });
    expect(sets.filter((s) => s.areas.includes('pubsub'))).to.have.length(4);
    expect(sets.filter((s) => s.areas.includes('state'))).to.have.length(3);
  });

  it('replaces the pub/sub component by the choice file beside the resources, keeping its name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'choices-'));
    mkdirSync(join(dir, 'components'));
    writeFileSync(
      join(dir, 'components', 'pubsub-rabbitmq.yaml'),
      'apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: pubsub}\nspec: {type: pubsub.rabbitmq, version: v1, metadata: []}\n',
    );
    const resources = [component('pubsub', 'pubsub.jetstream'), component('statestore', 'state.redis')];
    const out = applySelection(resources, [dir], { pubsub: 'rabbitmq', state: 'redis' });
    expect(out.map((r) => `${r.name}=${(r.body.spec as { type: string }).type}`).sort()).to.deep.equal([
      'pubsub=pubsub.rabbitmq',
      'statestore=state.redis',
    ]);
    expect(applySelection(resources, [dir], { pubsub: 'nats', state: 'redis' })).to.equal(resources);
    const missing = usageErrorOf(() => applySelection(resources, [dir], { pubsub: 'nats', state: 'mysql' }));
    expect(missing.message).to.contain('components/state-mysql.yaml');
  });
});
