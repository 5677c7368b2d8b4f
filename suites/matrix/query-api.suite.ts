import { expect } from 'chai';
import { measure } from '../../harness/suite-runner/suite-context';
import { http, uniqueId } from '../support/http';
import { APPS, sidecarUrl, STATE_STORE } from '../support/sut';

const state = (): string => `${sidecarUrl(APPS.preferences)}/v1.0/state/${STATE_STORE}`;

describe('matrix: state query API', () => {
  const written: string[] = [];
  after(async () => {
    for (const key of written) await http(`${state()}/${key}`, { method: 'DELETE' });
  });

  it('the query API returns the items whose value matches a filter', async function () {
    const batch = uniqueId('query');
    const items = [0, 1, 2, 3].map((i) => ({ key: `${batch}-${i}`, value: { batch, colour: i % 2 === 0 ? 'red' : 'blue', i } }));
    written.push(...items.map((i) => i.key));
    const saved = await http(state(), { method: 'POST', json: items });
    expect(saved.status, saved.text).to.equal(204);
    const res = await http<{ results?: { key: string; data: { colour: string } }[] }>(
      `${sidecarUrl(APPS.preferences)}/v1.0-alpha1/state/${STATE_STORE}/query`,
      { method: 'POST', json: { filter: { AND: [{ EQ: { batch } }, { EQ: { colour: 'red' } }] } } },
    );
    measure(this, 'status', res.status);
    expect(res.status, `query answered ${res.status}: ${res.text.slice(0, 300)}`).to.equal(200);
    const keys = (res.body.results ?? []).map((r) => r.key).sort();
    expect(keys).to.deep.equal(
      items
        .filter((i) => i.value.colour === 'red')
        .map((i) => i.key)
        .sort(),
    );
  });
});
