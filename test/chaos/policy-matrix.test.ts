import { expect } from 'chai';
import type { ChaosResult } from '../../harness/results/results-model';
import { setSuiteContext, suiteContextOrUndefined, type SuiteContext } from '../../harness/suite-runner/suite-context';
import { startLocalDeployment, type LocalDeployment } from '../../harness/targets/local/local-target';
import type { Deployment } from '../../harness/targets/deployment';
import { ProbeFailure } from '../../suites/support/chaos-probe';
import { retryDeliveryProbe } from '../../suites/support/delivery-probes';
import { breakerProbe, persistentProbe, timeoutProbe, transientProbe } from '../../suites/support/invocation-probes';
import { stateOutageProbe } from '../../suites/support/outage-probes';
import { tempRunRoot } from '../support/fixtures';
import { bus, CALLER, declaredAs, dependencyOf, MATRIX, MATRIX_RUN_FILE, OUTAGE_ROW, site, specOf, STORE } from './support/policy-matrix';

/**
 * The chaos probes against real daprd under many Resiliency shapes at once: one deployment, one callee app id per
 * app policy, two pub/sub components with their own inbound policies, and a state store. For each row the probe's
 * expectation comes from harness/resiliency and must equal what daprd did. The negative rows point the same probes
 * at a declared policy that is not the one daprd loaded: each must then fail, and still leave its record.
 */
describe('policy matrix: chaos probes against real daprd, expected (from the model) == observed', function () {
  this.timeout(60_000);
  let deployment: LocalDeployment | undefined;
  let previous: SuiteContext | undefined;
  const recorded: ChaosResult[] = [];

  function use(d: Deployment): void {
    setSuiteContext({ deployment: d, runDir: d.runDir, recordChaos: (r) => recorded.push(r) });
  }

  function live(): LocalDeployment {
    if (!deployment) throw new Error('the matrix deployment did not start');
    return deployment;
  }

  /** Runs a probe that must fail against a declared policy that is not daprd's; returns its record. */
  async function mustFail(d: Deployment, run: () => Promise<ChaosResult>): Promise<ChaosResult> {
    use(d);
    const before = recorded.length;
    try {
      const outcome = await run().then(
        (result) => ({ passed: result }),
        (err: unknown) => ({ failed: err }),
      );
      expect('passed' in outcome, 'a probe pointed at the wrong policy must fail').to.equal(false);
      const failure = (outcome as { failed: unknown }).failed;
      expect(failure, String(failure)).to.be.instanceOf(ProbeFailure);
    } finally {
      use(live());
    }
    expect(recorded.length, 'the failed probe left exactly one record').to.equal(before + 1);
    const record = recorded.at(-1) as ChaosResult;
    expect(record.passed).to.equal(false);
    return record;
  }

  before(async function () {
    this.timeout(180_000);
    previous = suiteContextOrUndefined();
    deployment = await startLocalDeployment({ runFile: MATRIX_RUN_FILE, runRoot: tempRunRoot() });
    use(deployment);
  });

  after(async function () {
    this.timeout(60_000);
    setSuiteContext(previous);
    await deployment?.stop();
  });

  for (const row of MATRIX) {
    it(`${row.shape}: ${row.probe}`, async () => {
      const result = await row.run(live());
      expect(result.passed).to.equal(true);
      expect(result.policy, 'the record names the policy it derived from').to.be.a('string').and.not.contain('no resiliency policy');
    });
  }

  describe('negative: a declared policy that is not the one daprd loaded fails the probe', () => {
    it('declared maxRetries 4 where daprd loaded 2: the persistent probe expects more calls than the callee saw', async () => {
      const d = declaredAs(live(), (docs) => {
        specOf(docs, 'matrix').policies.retries.exponential = { policy: 'exponential', maxInterval: '400ms', maxRetries: 4 };
      });
      const record = await mustFail(d, () => persistentProbe(site('callee-exponential')));
      expect(record.expected.calleeCalls).to.equal(4);
      expect(record.observed.calleeCalls).to.equal(3);
      expect(record.policy).to.contain('up to 4 retries');
    });

    it('declared retries for a callee daprd never retries: the transient probe sees one call and the failure', async () => {
      const d = declaredAs(live(), (docs) => {
        specOf(docs, 'matrix').targets.apps['callee-noretry'] = {
          timeout: 'short',
          retry: 'constantMatching',
          circuitBreaker: 'byRequests',
        };
      });
      const record = await mustFail(d, () => transientProbe(site('callee-noretry')));
      expect(record.expected).to.deep.include({ calleeCalls: 3, callerStatus: 200 });
      expect(record.observed).to.deep.include({ calleeCalls: 1, callerStatus: 503 });
    });

    it('declared maxRequests 1 where daprd loaded 2: the half-open trials let one more through than expected', async function () {
      this.timeout(60_000);
      const d = declaredAs(live(), (docs) => {
        specOf(docs, 'matrix').policies.circuitBreakers.total = {
          maxRequests: 1,
          interval: '30s',
          timeout: '2s',
          trip: 'totalFailures >= 4',
        };
      });
      const record = await mustFail(d, () => breakerProbe(site('callee-exponential')));
      expect(record.expected.halfOpenTrialCalls).to.equal(1);
      expect(record.observed.halfOpenTrialCalls).to.equal(2);
    });

    it('declared in-sidecar retries where daprd hands the message back to the broker: processing takes too long', async () => {
      const d = declaredAs(live(), (docs) => {
        specOf(docs, 'matrix').targets.components['bus-broker'] = { inbound: { retry: 'deliverInSidecar' } };
      });
      const record = await mustFail(d, () => retryDeliveryProbe(bus('bus-broker', () => live().sidecar(CALLER).httpUrl)));
      expect(record.expected.redeliveredBy).to.equal('sidecar');
      expect(record.observed.deliveries).to.equal(3);
      expect(Number(record.observed.msToProcess)).to.be.at.least(2000);
    });

    it('a probe that throws is still recorded, failed, with the error as its note', async () => {
      // callee-forever has no timeout policy, so the timeout probe cannot even start.
      use(live());
      const before = recorded.length;
      const error = await timeoutProbe(site('callee-forever')).then(
        () => undefined,
        (err: unknown) => err as Error,
      );
      expect(error?.message).to.match(/no timeout policy applies to matrix-caller → callee-forever/);
      expect(recorded.length).to.equal(before + 1);
      expect(recorded.at(-1)).to.deep.include({ probe: 'slow callee cut at the timeout', passed: false });
      expect(recorded.at(-1)?.note).to.contain('no timeout policy applies');
    });
  });

  describe("component outage (stops the matrix's redis; runs last)", () => {
    it(`${OUTAGE_ROW.shape}: ${OUTAGE_ROW.probe}`, async function () {
      this.timeout(90_000);
      const result = await OUTAGE_ROW.run(live());
      expect(result.passed).to.equal(true);
    });

    it('negative: declared retries where daprd loaded none (a sidecar that never retries) fail the lower bound', async function () {
      this.timeout(90_000);
      // daprd of callee-noretry loaded matrix-no-state-retries (maxRetries 0, 500ms); the harness is told it retries.
      const d = declaredAs(live(), (docs) => {
        specOf(docs, 'matrix-no-state-retries').targets.components[STORE] = { outbound: { timeout: 'quick', retry: 'retryThrice' } };
        specOf(docs, 'matrix-no-state-retries').policies.retries.retryThrice = { policy: 'exponential', maxInterval: '1s', maxRetries: 3 };
      });
      const record = await mustFail(d, () =>
        stateOutageProbe({ sidecar: 'callee-noretry', store: STORE, dependency: dependencyOf(live(), 'redis') }),
      );
      const [min] = String(record.expected.failedAfterMs).split('..').map(Number);
      expect(Number(record.observed.failedAfterMs), "failed before the retries' shortest waits").to.be.below(min as number);
    });
  });

  // Mocha runs a block's own tests before its nested blocks: this one, nested and last, sees every probe's record.
  describe('records', () => {
    it('one per probe run, failed or not, and no other', () => {
      const rows = MATRIX.length + 1;
      const negatives = 6;
      expect(recorded.length).to.equal(rows + negatives);
      expect(recorded.filter((r) => r.passed).length).to.equal(rows);
    });
  });
});
