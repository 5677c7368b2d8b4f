import { listen } from '../../lib/service';
import { createAuditApp } from './app';

listen(createAuditApp(), { defaultPort: 8083 });
