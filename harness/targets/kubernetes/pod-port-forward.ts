import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { createServer, type Server, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { PortForward, type KubeConfig } from '@kubernetes/client-node';
import type { Stoppable } from '../../process/managed-process';

const PROBE_TIMEOUT_MS = 10_000;

/**
 * A local loopback port whose connections go to a port of a pod through the API server (what
 * `kubectl port-forward` does): one port-forward stream per accepted connection.
 */
export class PodPortForward implements Stoppable {
  private podName: string;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly sessions = new Set<{ close(): void }>();
  private lastError: string | undefined;

  private readonly forwarder: Pick<PortForward, 'portForward'>;

  /** `forwarder` defaults to client-node's PortForward over the API server; tests may pass another. */
  constructor(
    kc: KubeConfig,
    readonly namespace: string,
    pod: string,
    readonly remotePort: number,
    forwarder?: Pick<PortForward, 'portForward'>,
  ) {
    this.podName = pod;
    this.forwarder = forwarder ?? new PortForward(kc);
  }

  get pod(): string {
    return this.podName;
  }

  get name(): string {
    return `port-forward ${this.namespace}/${this.podName}:${this.remotePort}`;
  }

  /** New connections go to this pod from now on (its predecessor was deleted and replaced); the local port stays. */
  retarget(pod: string): void {
    this.podName = pod;
  }

  /** The error of the last connection that could not be forwarded, for messages. */
  get error(): string | undefined {
    return this.lastError;
  }

  /** Listens on a free loopback port and resolves with it. */
  async start(): Promise<number> {
    const server = createServer((socket) => this.forward(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
    });
    const address = server.address();
    if (typeof address !== 'object' || !address) throw new Error(`${this.name}: no local port`);
    return address.port;
  }

  private forward(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    // A client that resets its connection (a load driver cut off mid-request) ends this stream, not the process.
    socket.on('error', (err: Error) => {
      this.lastError = err.message;
      socket.destroy();
    });
    const remoteErrors = new PassThrough();
    remoteErrors.on('data', (chunk: Buffer) => {
      this.lastError = chunk.toString('utf8').trim();
    });
    this.forwarder
      .portForward(this.namespace, this.podName, [this.remotePort], socket, remoteErrors, socket)
      .then((result) => {
        const ws = typeof result === 'function' ? result() : result;
        if (!ws) {
          socket.destroy();
          return;
        }
        this.sessions.add(ws);
        ws.on('error', (err: Error) => {
          this.lastError = err.message;
          socket.destroy();
        });
        ws.on('close', () => {
          this.sessions.delete(ws);
          socket.end();
        });
        socket.once('close', () => ws.close());
      })
      .catch((err: Error) => {
        this.lastError = err.message;
        socket.destroy();
      });
  }

  async stop(): Promise<void> {
    for (const ws of this.sessions) ws.close();
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export type PortForwardProbe = { ok: true } | { ok: false; status?: number; message: string };

/**
 * Asks the API server to open one port-forward stream and reports its answer. client-node's PortForward only
 * says "Unexpected server response: 400"; the API server's Status body says why (no node, kubelet unreachable,
 * forbidden), and that is the message a user needs.
 */
export async function probePortForward(kc: KubeConfig, namespace: string, pod: string, port: number): Promise<PortForwardProbe> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) return { ok: false, message: 'the kubeconfig context has no cluster server' };
  const url = new URL(
    `${server.replace(/\/$/, '')}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/portforward?ports=${port}`,
  );
  const opts: RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  const headers = {
    ...(opts.headers as Record<string, string> | undefined),
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    'Sec-WebSocket-Protocol': 'v4.channel.k8s.io',
  };
  return new Promise((resolve) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { ...opts, method: 'GET', headers, timeout: PROBE_TIMEOUT_MS });
    req.once('upgrade', (_res, socket) => {
      socket.destroy();
      resolve({ ok: true });
    });
    req.once('response', (res: IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < 4096) body += chunk;
      });
      res.once('end', () => resolve({ ok: false, status: res.statusCode, message: statusMessage(body) ?? `HTTP ${res.statusCode}` }));
    });
    req.once('timeout', () => req.destroy(new Error(`no answer within ${PROBE_TIMEOUT_MS / 1000}s`)));
    req.once('error', (err) => resolve({ ok: false, message: err.message }));
    req.end();
  });
}

function statusMessage(body: string): string | undefined {
  try {
    const status = JSON.parse(body) as { message?: unknown };
    return typeof status.message === 'string' ? status.message : undefined;
  } catch {
    return body.trim().split('\n')[0] || undefined;
  }
}
