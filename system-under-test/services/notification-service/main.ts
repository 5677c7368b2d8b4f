import { DeliveryLedger } from '../../lib/ledger/delivery-ledger';
import { logLedgerAtExit } from '../../lib/ledger/ledger-at-exit';
import { listen } from '../../lib/service';
import { createNotificationApp } from './app';

const ledger = new DeliveryLedger();
logLedgerAtExit(ledger);
listen(createNotificationApp({ ledger }), { defaultPort: 8082 });
