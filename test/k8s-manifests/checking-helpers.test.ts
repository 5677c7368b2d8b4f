import { expect } from 'chai';
import { createServer, type Server } from 'node:net';
import { rejectUnknownFields } from './support/dapr-crd-schemas';
import { jsonPointerToPath, unknownFieldsOf } from './support/kubernetes-schemas';
import { isWildcard, listeningAddresses } from './support/listening-sockets';
import { parseQuantity } from './support/quantity';
import { differences } from './support/resource-drift';

function listen(host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => resolve(server));
  });
}

/** The small pieces the manifest checks rest on. */
describe('k8s manifests: checking helpers', function () {
  it('reads Kubernetes quantities and refuses what is not one', function () {
    expect(parseQuantity('100m')).to.equal(0.1);
    expect(parseQuantity('1')).to.equal(1);
    expect(parseQuantity('128Mi')).to.equal(128 * 2 ** 20);
    expect(parseQuantity('1G')).to.equal(1e9);
    expect(parseQuantity('1e3')).to.equal(1000);
    expect(parseQuantity(2)).to.equal(2);
    for (const bad of ['lots', '1 Gi', '1MB', '', 'm', undefined]) expect(parseQuantity(bad), String(bad)).to.equal(undefined);
  });

  it('turns JSON pointers into the field paths kubectl prints', function () {
    expect(jsonPointerToPath('/spec/template/spec/containers/0/image')).to.equal('spec.template.spec.containers[0].image');
    expect(jsonPointerToPath('/metadata/annotations/dapr.io~1app-id')).to.equal('metadata.annotations.dapr.io/app-id');
    expect(jsonPointerToPath('')).to.equal('');
  });

  it('finds fields a Kubernetes type does not have, at any depth, and nowhere else', function () {
    const probe = { httpGet: { path: '/healthz', port: 'http' }, periodSecond: 5 };
    expect(
      unknownFieldsOf({ name: 'app', image: 'i', readinessProbe: probe, env: [{ name: 'A', valu: 'x' }] }, 'V1Container'),
    ).to.deep.equal(['readinessProbe.periodSecond: unknown field "periodSecond"', 'env[0].valu: unknown field "valu"']);
    expect(unknownFieldsOf({ labels: { anything: 'goes' }, annotations: { 'dapr.io/x': 'y' } }, 'V1ObjectMeta')).to.deep.equal([]);
  });

  it('closes a structural schema to undeclared fields except where it preserves them', function () {
    const schema = {
      type: 'object',
      properties: {
        metadata: { type: 'object' },
        spec: {
          type: 'object',
          properties: {
            items: { type: 'array', items: { type: 'object', properties: { value: { 'x-kubernetes-preserve-unknown-fields': true } } } },
            free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            map: { type: 'object', additionalProperties: { type: 'string' } },
          },
        },
      },
    };
    const strict = rejectUnknownFields(schema, true) as {
      additionalProperties: unknown;
      properties: Record<
        string,
        {
          additionalProperties?: unknown;
          properties?: Record<string, { additionalProperties?: unknown; items?: { additionalProperties?: unknown } }>;
        }
      >;
    };
    expect(strict.additionalProperties).to.equal(false);
    expect(strict.properties.metadata?.additionalProperties).to.equal(undefined);
    expect(strict.properties.spec?.additionalProperties).to.equal(false);
    expect(strict.properties.spec?.properties?.items?.items?.additionalProperties).to.equal(false);
    expect(strict.properties.spec?.properties?.free?.additionalProperties).to.equal(undefined);
    expect(strict.properties.spec?.properties?.map?.additionalProperties).to.deep.equal({ type: 'string' });
  });

  it('lists the paths where two parsed documents differ', function () {
    expect(differences({ a: [1, { b: 2 }], c: 'x' }, { a: [1, { b: 3 }], c: 'x' }, '')).to.deep.equal(['a[1].b']);
    expect(differences({ a: [1] }, { a: [1, 2] }, '')).to.deep.equal(['a (length 1 vs 2)']);
    expect(differences({ a: 1 }, { a: 1, extra: true }, '')).to.deep.equal(['extra']);
    expect(differences({ a: { b: 1 } }, { a: { b: 1 } }, '')).to.deep.equal([]);
  });

  it("sees from the kernel's tables whether a port listens on every interface or on loopback only", async function () {
    const loopback = await listen('127.0.0.1');
    const everywhere = await listen('0.0.0.0');
    try {
      const onLoopback = listeningAddresses((loopback.address() as { port: number }).port);
      const onAll = listeningAddresses((everywhere.address() as { port: number }).port);
      expect(onLoopback).to.deep.equal(['127.0.0.1']);
      expect(onLoopback.some(isWildcard)).to.equal(false);
      expect(onAll.some(isWildcard)).to.equal(true);
    } finally {
      loopback.close();
      everywhere.close();
    }
  });
});
