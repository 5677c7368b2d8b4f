import { listen } from '../../lib/service';
import { createAnalyticsApp } from './app';

listen(createAnalyticsApp(), { defaultPort: 8084 });
