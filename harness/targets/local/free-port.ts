import { createServer } from 'node:net';

/**
 * Hands out free loopback ports, never the same one twice in a run, so that our own servers never collide
 * with each other or with the machine's servers on standard ports.
 */
export class PortAllocator {
  private readonly given = new Set<number>();

  async next(): Promise<number> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = await askKernelForPort();
      if (!this.given.has(port)) {
        this.given.add(port);
        return port;
      }
    }
    throw new Error('no free loopback port after 50 attempts');
  }
}

function askKernelForPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
