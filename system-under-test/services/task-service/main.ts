import { listen } from '../../lib/service';
import { createTaskApp } from './app';

listen(createTaskApp(), { defaultPort: 8081 });
