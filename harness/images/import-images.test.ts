import { expect } from 'chai';
import { normalizeImageRef } from './import-images';

describe('images: reference normalization', function () {
  it('fills in Docker Hub and library/ as containerd and the kubelet do', function () {
    expect(normalizeImageRef('redis:7')).to.equal('docker.io/library/redis:7');
    expect(normalizeImageRef('bitnami/redis:7')).to.equal('docker.io/bitnami/redis:7');
    expect(normalizeImageRef('ghcr.io/dapr/daprd:1.18.2')).to.equal('ghcr.io/dapr/daprd:1.18.2');
    expect(normalizeImageRef('localhost/x:1')).to.equal('localhost/x:1');
    expect(normalizeImageRef('registry:5000/x:1')).to.equal('registry:5000/x:1');
  });
});
