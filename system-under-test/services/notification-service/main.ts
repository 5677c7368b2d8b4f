import { listen } from '../../lib/service';
import { createNotificationApp } from './app';

listen(createNotificationApp(), { defaultPort: 8082 });
