import { EventEmitter } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { KubeConfig, type PortForward } from '@kubernetes/client-node';
import { expect } from 'chai';
import { PodPortForward } from './pod-port-forward';

/**
 * The local side of a port-forward: accepting connections, handing each to the forwarder, closing both ends.
 * client-node's PortForward (the collaborator that talks to the API server) is replaced by one that connects
 * straight to a local echo server, so the data path through PodPortForward is real TCP.
 */
class DirectForwarder extends EventEmitter implements Pick<PortForward, 'portForward'> {
  calls: { namespace: string; pod: string; ports: number[] }[] = [];
  constructor(private readonly targetPort: number | undefined) {
    super();
  }
  async portForward(
    namespace: string,
    pod: string,
    ports: number[],
    output: Writable,
    _err: Writable | null,
    input: Readable,
  ): ReturnType<PortForward['portForward']> {
    this.calls.push({ namespace, pod, ports });
    if (this.targetPort === undefined) throw new Error('Unexpected server response: 400');
    const upstream = connect({ host: '127.0.0.1', port: this.targetPort });
    await new Promise((resolve) => upstream.once('connect', resolve));
    input.pipe(upstream);
    upstream.pipe(output);
    const session = Object.assign(new EventEmitter(), { close: () => upstream.destroy() });
    upstream.once('close', () => session.emit('close'));
    return session as unknown as Awaited<ReturnType<PortForward['portForward']>>;
  }
}

function roundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(text));
    let got = '';
    socket.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.length >= text.length) {
        socket.end();
        resolve(got);
      }
    });
    socket.once('error', reject);
    socket.once('close', () => resolve(got));
  });
}

describe('PodPortForward (local side)', () => {
  let echo: Server;
  let echoPort: number;
  const open: Socket[] = [];

  before(async () => {
    echo = createServer((s) => {
      open.push(s);
      s.pipe(s);
    });
    await new Promise<void>((r) => echo.listen({ host: '127.0.0.1', port: 0 }, () => r()));
    echoPort = (echo.address() as { port: number }).port;
  });
  after(async () => {
    open.forEach((s) => s.destroy());
    await new Promise((r) => echo.close(r));
  });

  it('forwards each connection to the pod port it was made for, on a loopback port of its own', async () => {
    const forwarder = new DirectForwarder(echoPort);
    const pf = new PodPortForward(new KubeConfig(), 'shop', 'orders-0', 3500, forwarder);
    const local = await pf.start();
    try {
      expect(await roundTrip(local, 'hello')).to.equal('hello');
      expect(await roundTrip(local, 'again')).to.equal('again');
      expect(forwarder.calls).to.deep.equal([
        { namespace: 'shop', pod: 'orders-0', ports: [3500] },
        { namespace: 'shop', pod: 'orders-0', ports: [3500] },
      ]);
    } finally {
      await pf.stop();
    }
  });

  it('closes the client connection and keeps the reason when the forward cannot be opened', async () => {
    const pf = new PodPortForward(new KubeConfig(), 'shop', 'orders-0', 3500, new DirectForwarder(undefined));
    const local = await pf.start();
    try {
      expect(await roundTrip(local, 'hello')).to.equal('');
      expect(pf.error).to.equal('Unexpected server response: 400');
    } finally {
      await pf.stop();
    }
  });

  it('stop() ends open connections and frees the port', async () => {
    const pf = new PodPortForward(new KubeConfig(), 'shop', 'orders-0', 3500, new DirectForwarder(echoPort));
    const local = await pf.start();
    const client = connect({ host: '127.0.0.1', port: local });
    await new Promise((r) => client.once('connect', r));
    const closed = new Promise((r) => client.once('close', r));
    await pf.stop();
    await closed;
    const refused = await new Promise<boolean>((r) => {
      const s = connect({ host: '127.0.0.1', port: local });
      s.once('error', () => r(true));
      s.once('connect', () => {
        s.destroy();
        r(false);
      });
    });
    expect(refused).to.equal(true);
  });
});
