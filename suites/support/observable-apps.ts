import { deployment, measure, skipBecause } from '../../harness/suite-runner/suite-context';
import type { AppEndpoint } from '../../harness/targets/deployment';

/**
 * The app instances whose endpoint a check needs and the target exposes. None at all is a recorded not-observable
 * skip; the instances left out are named in the test's `notObserved` measurement, so a partial check says so.
 */
export function observableApps(ctx: Mocha.Context, exposes: (a: AppEndpoint) => boolean, whyNot: string): AppEndpoint[] {
  const apps = deployment().apps;
  const observable = apps.filter(exposes);
  if (observable.length === 0) skipBecause(ctx, 'not-observable', whyNot);
  const unobserved = apps.filter((a) => !exposes(a)).map((a) => `${a.appId}#${a.instance}`);
  if (unobserved.length > 0) measure(ctx, 'notObserved', unobserved.join(', '));
  return observable;
}
