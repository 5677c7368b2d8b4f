import { expect } from 'chai';
import { HarnessError } from '../../../errors/harness-error';
import { missingServerPackages, requireComponentServers } from './component-servers';

describe('component servers', () => {
  it('a missing server binary is a usage error naming the Debian package that brings it', () => {
    const none = (): undefined => undefined;
    for (const [type, pkg] of [
      ['pubsub.mqtt3', 'mosquitto'],
      ['pubsub.rabbitmq', 'rabbitmq-server'],
      ['state.mysql', 'mariadb-server'],
    ] as const) {
      let err: unknown;
      try {
        requireComponentServers([type], none);
      } catch (e) {
        err = e;
      }
      expect(err, type).to.be.instanceOf(HarnessError);
      expect((err as HarnessError).kind).to.equal('usage');
      expect((err as HarnessError).hint).to.contain(`apt-get install ${pkg}`);
      expect((err as HarnessError).oneLine()).not.to.contain('\n');
    }
    expect(missingServerPackages(none)).to.include.members(['mosquitto', 'rabbitmq-server', 'mariadb-server']);
  });

  it('components the local target serves itself (Redis, NATS) need no extra server', () => {
    expect(requireComponentServers(['state.redis', 'pubsub.jetstream', ''], () => undefined)).to.deep.equal([]);
  });
});
