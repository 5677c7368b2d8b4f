import { createService, listen, log } from '../../lib/service';

/**
 * The invoke target of the reference deployment: hello/echo endpoints, and a probe subscription whose
 * deliveries it keeps so that a publish→subscribe round trip can be checked end to end.
 */
const app = createService();
const received: unknown[] = [];
const MAX_RECEIVED = 1000;

app.get('/hello', (_req, res) => {
  res.json({ message: 'hello', app: process.env.APP_ID });
});

app.all('/echo', (req, res) => {
  res.json({ method: req.method, path: req.path, query: req.query, headers: req.headers, body: req.body ?? null });
});

app.get('/dapr/subscribe', (_req, res) => {
  res.json([{ pubsubname: 'pubsub', topic: 'harness.probe', route: '/events/probe' }]);
});

app.post('/events/probe', (req, res) => {
  received.push(req.body);
  if (received.length > MAX_RECEIVED) received.shift();
  log('info', 'probe event', { id: (req.body as { id?: string } | undefined)?.id });
  res.json({ status: 'SUCCESS' });
});

app.get('/events/probe', (_req, res) => {
  res.json(received);
});

listen(app, { defaultPort: 8080 });
