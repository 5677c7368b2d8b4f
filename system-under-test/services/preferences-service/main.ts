import { listen } from '../../lib/service';
import { createPreferencesApp } from './app';

listen(createPreferencesApp(), { defaultPort: 8085 });
