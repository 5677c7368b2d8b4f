import { expect } from 'chai';
import express from 'express';
import { call, serve } from '../../../test/support/sut-apps/serve';
import { DeliveryLedger } from './delivery-ledger';
import { ledgerRoutes } from './ledger-routes';

describe('ledger routes: GET /ledger/clock', () => {
  it('answers the clock the ledger stamps receivedAt with', async () => {
    let clock = 1_700_000_000_123;
    const ledger = new DeliveryLedger(10, () => clock);
    const app = express();
    app.use(ledgerRoutes(ledger));
    const served = await serve(app);
    try {
      expect((await call<{ now: number }>(`${served.url}/ledger/clock`)).body).to.deep.equal({ now: 1_700_000_000_123 });
      clock += 2500;
      const entry = ledger.accept({ eventId: 'a', cloudEventId: null, publishedAt: null, cloudEvent: null, raw: true }, 't');
      const { body } = await call<{ now: number }>(`${served.url}/ledger/clock`);
      expect(body.now).to.equal(entry.receivedAt);
    } finally {
      await served.close();
    }
  });
});
