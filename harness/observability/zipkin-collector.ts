import { createServer, type Server } from 'node:http';

/** A span as Zipkin's v2 JSON API carries it (what daprd's zipkin exporter sends). */
export interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name?: string;
  kind?: string;
  timestamp?: number;
  duration?: number;
  localEndpoint?: { serviceName?: string };
  tags?: Record<string, string>;
}

const MAX_SPANS = 100_000;

/**
 * A Zipkin-compatible receiver on loopback: daprd exports its spans here during a run, and the tracing suite
 * reads them back. Keeps at most MAX_SPANS spans (oldest dropped).
 */
export class ZipkinCollector {
  private readonly spans: ZipkinSpan[] = [];
  private server: Server | undefined;
  private port = 0;
  dropped = 0;

  /** Loopback and a free port unless told otherwise (in a pod: every address, Zipkin's port 9411). */
  constructor(private readonly listen: { host?: string; port?: number } = {}) {}

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}/api/v2/spans`;
  }

  get listeningPort(): number {
    return this.port;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      // Zipkin's query API for one trace, which a harness outside the cluster reads through a port-forward.
      const query = req.method === 'GET' ? /^\/api\/v2\/trace\/([0-9a-f]{16,32})$/.exec(req.url ?? '') : null;
      if (req.method === 'GET' && req.url === '/healthz') {
        res.writeHead(200).end('ok');
        return;
      }
      if (query?.[1]) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.trace(query[1])));
        return;
      }
      if (req.method !== 'POST' || !req.url?.startsWith('/api/v2/spans')) {
        res.writeHead(404).end();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= 16 * 1024 * 1024) chunks.push(c);
      });
      req.on('end', () => {
        try {
          const batch = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ZipkinSpan[];
          if (Array.isArray(batch)) this.add(batch);
          res.writeHead(202).end();
        } catch {
          res.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(this.listen.port ?? 0, this.listen.host ?? '127.0.0.1', () => {
        const address = this.server?.address();
        this.port = typeof address === 'object' && address ? address.port : 0;
        resolve();
      });
    });
  }

  add(batch: ZipkinSpan[]): void {
    this.spans.push(...batch);
    const excess = this.spans.length - MAX_SPANS;
    if (excess > 0) {
      this.spans.splice(0, excess);
      this.dropped += excess;
    }
  }

  trace(traceId: string): ZipkinSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }

  count(): number {
    return this.spans.length;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
