import { headOf, type Hit, type Rule } from '../rule';

export const subscriptionNoDeadLetter: Rule = {
  id: 'subscription-no-dead-letter',
  family: 'pubsub',
  severity: 'medium',
  title: 'a declarative subscription has no dead-letter topic',
  why: 'a message the app keeps failing is redelivered until the broker gives up and drops it, silently; a dead-letter topic keeps it for inspection and replay',
  fix: 'set spec.deadLetterTopic (and subscribe something to that topic)',
  check(ctx) {
    return ctx.of('Subscription').flatMap((r): Hit[] =>
      r.root.at('spec', 'deadLetterTopic')?.present
        ? []
        : [
            {
              resource: r,
              at: r.root.at('spec', 'topic') ?? r.root.get('spec') ?? headOf(r),
              message: `${r.label} (topic ${r.root.at('spec', 'topic')?.str() ?? '?'}) has no deadLetterTopic`,
            },
          ],
    );
  },
};

export const subscriptionRawPayload: Rule = {
  id: 'subscription-raw-payload',
  family: 'pubsub',
  severity: 'medium',
  title: 'a subscription takes raw payloads (rawPayload: "true") instead of CloudEvents',
  why: 'without the CloudEvent envelope the subscriber loses the source app id, pub/sub name, id and trace context, so it cannot tell who published an event or check it against publishing scopes',
  fix: 'remove rawPayload, or use it only for topics that publishers outside Dapr write and that the app authenticates by other means',
  check(ctx) {
    return ctx.of('Subscription').flatMap((r): Hit[] => {
      const raw = r.root.at('spec', 'metadata', 'rawPayload');
      return raw?.bool() === true
        ? [{ resource: r, at: raw, message: `${r.label} (topic ${r.root.at('spec', 'topic')?.str() ?? '?'}) sets rawPayload: "true"` }]
        : [];
    });
  },
};

export const PUBSUB_RULES = [subscriptionNoDeadLetter, subscriptionRawPayload];
