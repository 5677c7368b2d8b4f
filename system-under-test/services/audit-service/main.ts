import { DeliveryLedger } from '../../lib/ledger/delivery-ledger';
import { logLedgerAtExit } from '../../lib/ledger/ledger-at-exit';
import { listen } from '../../lib/service';
import { createAuditApp } from './app';

const ledger = new DeliveryLedger();
logLedgerAtExit(ledger);
listen(createAuditApp({ ledger }), { defaultPort: 8083 });
