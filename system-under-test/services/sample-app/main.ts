import { listen } from '../../lib/service';
import { createSampleApp } from './app';

listen(createSampleApp(), { defaultPort: 8080 });
