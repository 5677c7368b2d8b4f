import { expect } from 'chai';
import { imageTag, workloadVersion } from './control-plane-preflight';

describe('control-plane versions from image tags', () => {
  it('reads the tag after the last path segment, ignoring registry ports and digests', () => {
    expect(imageTag('ghcr.io/dapr/operator:1.18.2')).to.equal('1.18.2');
    expect(imageTag('registry.local:5000/dapr/sentry:1.18.2-mariner')).to.equal('1.18.2-mariner');
    expect(imageTag('ghcr.io/dapr/placement:1.18.2@sha256:abc')).to.equal('1.18.2');
    expect(imageTag('registry.local:5000/dapr/sentry')).to.equal(undefined);
    expect(imageTag('daprio/dapr@sha256:abc')).to.equal(undefined);
  });

  it('takes the container named like the workload, not a sidecar listed first', () => {
    const deployment = {
      spec: {
        selector: {},
        template: {
          spec: {
            containers: [
              { name: 'istio-proxy', image: 'istio/proxyv2:1.22.0' },
              { name: 'dapr-sentry', image: 'ghcr.io/dapr/sentry:1.18.2' },
            ],
          },
        },
      },
    };
    expect(workloadVersion(deployment, 'dapr-sentry')).to.equal('1.18.2');
    expect(workloadVersion(deployment, 'something-else')).to.equal('1.22.0');
  });
});
