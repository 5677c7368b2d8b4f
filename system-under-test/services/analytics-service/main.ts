import { DeliveryLedger } from '../../lib/ledger/delivery-ledger';
import { logLedgerAtExit } from '../../lib/ledger/ledger-at-exit';
import { listen } from '../../lib/service';
import { createAnalyticsApp } from './app';

const ledger = new DeliveryLedger();
logLedgerAtExit(ledger);
listen(createAnalyticsApp({ ledger }), { defaultPort: 8084 });
