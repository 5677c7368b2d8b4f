import { expect } from 'chai';
import {
  allDefaultKeywords,
  builtInRetries,
  componentKind,
  defaultKeywords,
  defaultPolicyName,
  directionsOf,
  isBuiltInRetryName,
  looksLikeDefaultName,
  parseDefaultPolicyName,
} from './built-in-policies';

describe('built-in policies and default names', () => {
  it("declares daprd v1.18's built-in retries", () => {
    const b = builtInRetries();
    expect(b.DaprBuiltInServiceRetries).to.include({ policy: 'constant', durationMs: 1000, maxRetries: 3 });
    expect(b.DaprBuiltInActorRetries).to.include({ policy: 'constant', durationMs: 1000, maxRetries: 3 });
    expect(b.DaprBuiltInActorNotFoundRetries).to.include({ policy: 'constant', durationMs: 1000, maxRetries: 5 });
    expect(b.DaprBuiltInInitializationRetries).to.include({
      policy: 'exponential',
      initialIntervalMs: 500,
      maxIntervalMs: 1000,
      maxElapsedMs: 10_000,
      maxRetries: 3,
    });
    expect(b.DaprBuiltInActorReminderRetries).to.include({
      policy: 'exponential',
      maxIntervalMs: 60_000,
      maxElapsedMs: 900_000,
      maxRetries: 0,
    });
    expect(isBuiltInRetryName('DaprBuiltInServiceRetries')).to.equal(true);
    expect(isBuiltInRetryName('DaprBuiltinServiceRetries')).to.equal(false);
  });

  it("maps component types to daprd's component kinds and directions", () => {
    expect(componentKind('state.redis')).to.equal('Statestore');
    expect(componentKind('pubsub.jetstream')).to.equal('Pubsub');
    expect(componentKind('bindings.cron')).to.equal('Binding');
    expect(componentKind('secretstores.local.file')).to.equal('Secretstore');
    expect(componentKind('configuration.redis')).to.equal('Configuration');
    expect(componentKind('lock.redis')).to.equal('Lock');
    expect(componentKind('crypto.dapr.localstorage')).to.equal('Crypto');
    expect(componentKind('conversation.openai')).to.equal('Conversation');
    expect(componentKind('middleware.http.ratelimit')).to.equal(undefined);
    expect(componentKind('nameresolution.mdns')).to.equal(undefined);
    expect(directionsOf('Statestore')).to.deep.equal(['outbound']);
    expect(directionsOf('Pubsub')).to.deep.equal(['outbound', 'inbound']);
  });

  it('looks up defaults from most specific to the catch-all', () => {
    expect(defaultKeywords({ kind: 'app' }).map((k) => defaultPolicyName(k, 'Retry'))).to.deep.equal([
      'DefaultAppRetryPolicy',
      'DefaultRetryPolicy',
    ]);
    expect(
      defaultKeywords({ kind: 'component', componentKind: 'Statestore', direction: 'outbound' }).map((k) =>
        defaultPolicyName(k, 'CircuitBreaker'),
      ),
    ).to.deep.equal([
      'DefaultStatestoreComponentOutboundCircuitBreakerPolicy',
      'DefaultComponentOutboundCircuitBreakerPolicy',
      'DefaultComponentCircuitBreakerPolicy',
      'DefaultCircuitBreakerPolicy',
    ]);
    expect(allDefaultKeywords()).to.include.members(['', 'App', 'Actor', 'PubsubComponentInbound', 'SecretstoreComponentOutbound']);
    expect(allDefaultKeywords()).not.to.include('SecretstoreComponent');
  });

  it('parses default policy names and recognises attempts at one', () => {
    expect(parseDefaultPolicyName('DefaultPubsubComponentInboundTimeoutPolicy')).to.deep.equal({
      keyword: 'PubsubComponentInbound',
      kind: 'Timeout',
    });
    expect(parseDefaultPolicyName('DefaultRetryPolicy')).to.deep.equal({ keyword: '', kind: 'Retry' });
    expect(parseDefaultPolicyName('retryForever')).to.equal(undefined);
    expect(looksLikeDefaultName('defaultAppRetrypolicy')).to.equal(true);
    expect(looksLikeDefaultName('important')).to.equal(false);
  });
});
