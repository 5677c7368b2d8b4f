import { expect } from 'chai';
import { HarnessError } from '../../harness/errors/harness-error';

/** The HarnessError a promise rejects with; fails the test when it resolves or rejects with anything else. */
export async function failure(promise: Promise<unknown>): Promise<HarnessError> {
  try {
    await promise;
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(HarnessError);
    return err as HarnessError;
  }
  return expect.fail('expected a failure') as never;
}
