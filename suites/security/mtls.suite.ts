import { expect } from 'chai';
import { connect as tlsConnect } from 'node:tls';
import { deployment, measure } from '../../harness/suite-runner/suite-context';
import { observableApps } from '../support/observable-apps';
import { configurations, mtlsProblem } from '../support/configuration';

const H2_PREFACE = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);

type Outcome = { kind: 'refused'; reason: string } | { kind: 'accepted' } | { kind: 'no-tls'; reason: string };

/** Talks to a sidecar's internal port as a peer with no client certificate and reports what the sidecar did. */
function probeWithoutClientCert(address: string, ca: string | undefined): Promise<Outcome> {
  const [host, port] = address.split(':') as [string, string];
  return new Promise((resolve) => {
    let handshaken = false;
    const socket = tlsConnect({
      host,
      port: Number(port),
      ALPNProtocols: ['h2'],
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
      ...(ca ? { ca } : {}),
    });
    const finish = (o: Outcome): void => {
      socket.destroy();
      resolve(o);
    };
    socket.setTimeout(5000, () =>
      finish(handshaken ? { kind: 'refused', reason: 'no answer' } : { kind: 'no-tls', reason: 'no TLS handshake within 5 s' }),
    );
    socket.once('secureConnect', () => {
      handshaken = true;
      socket.write(H2_PREFACE);
    });
    // The server's SETTINGS frame means it accepted a peer it cannot identify.
    socket.once('data', () => finish({ kind: 'accepted' }));
    socket.once('error', (err) =>
      finish(
        handshaken || /certificate required|alert number 116/i.test(err.message)
          ? { kind: 'refused', reason: err.message }
          : { kind: 'no-tls', reason: err.message },
      ),
    );
    socket.once('close', () =>
      finish(handshaken ? { kind: 'refused', reason: 'closed' } : { kind: 'no-tls', reason: 'closed before the TLS handshake' }),
    );
  });
}

describe('security: mTLS between sidecars (T020)', () => {
  it('T020 a peer without a client certificate is refused on every sidecar-to-sidecar port', async function () {
    const d = deployment();
    const declared = (configurations() ?? []).map(mtlsProblem).find(Boolean);
    if (declared || d.mtlsEnabled === false)
      throw new Error(
        declared ??
          'mTLS is off in this deployment: set mtls.enabled: true in its Configuration (Kubernetes: the daprsystem Configuration in dapr-system)',
      );
    const observable = observableApps(
      this,
      (a) => a.sidecar.internalGrpcAddress !== undefined,
      "the target does not expose the sidecars' internal gRPC (sidecar-to-sidecar) addresses (external target: give internalGrpc: per app in the sidecars file)",
    );
    for (const app of observable) {
      const outcome = await probeWithoutClientCert(app.sidecar.internalGrpcAddress as string, d.trustAnchors);
      measure(this, `${app.appId}.${app.instance}`, outcome.kind);
      expect(
        outcome.kind,
        `${app.appId}: ${outcome.kind === 'accepted' ? 'accepted a peer without a client certificate' : outcome.kind === 'no-tls' ? `does not speak TLS on its internal port (${outcome.reason}): turn on mTLS (mtls.enabled: true in the Configuration; self-hosted daprd also needs --enable-mtls and Sentry)` : ''}`,
      ).to.equal('refused');
    }
  });
});
