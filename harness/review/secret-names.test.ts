import { expect } from 'chai';
import { hasUrlCredentials, isSecretName } from './secret-names';

describe('secret names', () => {
  it('recognises credential settings in any spelling', () => {
    for (const n of ['redisPassword', 'REDIS_PASSWORD', 'connectionString', 'accountKey', 'DAPR_API_TOKEN', 'clientSecret', 'key'])
      expect(isSecretName(n), n).to.equal(true);
  });
  it('leaves references and settings about secrets alone', () => {
    for (const n of [
      'keyPrefix',
      'routingKey',
      'secretStore',
      'tokenFile',
      'passwordPath',
      'FAULT_CONTROL_TOKEN_FILE',
      'redisHost',
      'partitionKey',
      'actorStateStore',
    ])
      expect(isSecretName(n), n).to.equal(false);
  });
  it('finds passwords inside URLs', () => {
    expect(hasUrlCredentials('nats://user:s3cret@nats:4222')).to.equal(true);
    expect(hasUrlCredentials('nats://nats.dapr-system.svc.cluster.local:4222')).to.equal(false);
    expect(hasUrlCredentials('redis://:pw@redis:6379')).to.equal(true);
  });
});
