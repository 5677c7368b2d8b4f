#!/usr/bin/env -S node --import tsx
import { Command, CommanderError, Option } from 'commander';
import { exitCodeFor, HarnessError } from '../errors/harness-error';
import { redact, registerSecretsFromEnv } from '../secrets/redaction';
import { downCommand } from './commands/down';
import { statusCommand } from './commands/status';
import { runtimeCommand } from './commands/runtime';
import { collectSpansCommand } from './commands/collect-spans';
import { daprChartCommand } from './commands/dapr-chart';
import { CLUSTER_UP_DEFAULTS, clusterBuildCommand, clusterDownCommand, clusterStatusCommand, clusterUpCommand } from './commands/cluster';
import { setupCommand } from './commands/setup';
import { imagesCommand } from './commands/images';
import { UP_DEFAULTS, upCommand } from './commands/up';
import { acceptanceCommand, chaosCommand } from './commands/acceptance';
import { matrixCommand } from './commands/matrix';
import { MATRIX_COMPONENTS, MATRIX_ROWS } from '../results/component-matrix';
import { loadCommand } from './commands/load';
import { deployK8sCommand } from './commands/deploy-k8s';
import { allCommand } from './commands/all';
import { REVIEW_FORMATS, reviewCommand } from './commands/review';
import { addTargetOptions } from '../session/target-options';
import { reportCommand } from '../report/report-command';
import { gateCommand } from '../gate/gate-command';
import { DEFAULT_CRITERIA_FILE } from '../paths';
import { DEFAULT_REVIEW_PATHS } from '../review/review';
import { SEVERITIES } from '../review/severity';

registerSecretsFromEnv();

const program = new Command();
program
  .name('dapr-harness')
  .description('Conformance and load-test harness for Dapr deployments')
  .exitOverride()
  .showHelpAfterError('(add --help for usage)')
  .configureOutput({ outputError: (str, write) => write(str.split('\n')[0] + '\n') });

const runRootOption = (): Option =>
  new Option('--run-root <dir>', 'where run directories and current.json live').default(UP_DEFAULTS.runRoot);

program
  .command('up')
  .description('start the local reference deployment (redis, nats, sentry, apps with daprd)')
  .option('--run-file <file>', 'Multi-App Run file to start', UP_DEFAULTS.runFile)
  .addOption(runRootOption())
  .option('-d, --detach', 'return once ready and leave it running; stop it with `down`')
  .option('--pubsub <name>', `the pub/sub component to run: ${MATRIX_COMPONENTS.pubsub.join(', ')} (default nats)`)
  .option('--state <name>', `the state store to run: ${MATRIX_COMPONENTS.state.join(', ')} (default redis)`)
  .option('--ready-timeout <seconds>', 'with --detach: how long to wait for ready', UP_DEFAULTS.readyTimeout)
  .addOption(new Option('--supervise').hideHelp())
  .addOption(new Option('--run-id <id>').hideHelp())
  .addHelpText(
    'after',
    '\nExamples:\n  npm run up                 # foreground; Ctrl-C stops everything\n  npm run up -- --detach     # background; then npm run status / npm run down',
  )
  .action(async (opts) => finish(await upCommand(opts)));

program
  .command('down')
  .description('stop the deployment started with `up --detach`')
  .addOption(runRootOption())
  .action(async (opts) => finish(await downCommand(opts)));

program
  .command('status')
  .description('show the running local deployment: apps, sidecar health, runtime version (like `dapr list`)')
  .addOption(runRootOption())
  .option('--json', 'print JSON')
  .action(async (opts) => finish(await statusCommand(opts)));

program
  .command('runtime')
  .description('build daprd and sentry from the pinned Dapr release into the cache (once) and print their versions')
  .option('--force', 'rebuild even when cached')
  .action(async (opts) => finish(await runtimeCommand(opts)));

program
  .command('images')
  .description(
    'build the container images a cluster without a registry runs (Dapr, reference apps, harness, Redis, NATS, pause) and helm, once',
  )
  .action(async () => finish(await imagesCommand()));

program
  .command('collect-spans', { hidden: true })
  .description('a Zipkin-compatible span collector (what k8s/dapr-system/zipkin.yaml runs in the cluster)')
  .option('--host <address>', 'address to listen on', '0.0.0.0')
  .option('--port <port>', 'port to listen on', '9411')
  .action(async (opts) => finish(await collectSpansCommand(opts)));

program
  .command('dapr-chart')
  .description(
    "print the dir of Dapr's chart in the pinned Dapr module (for `helm upgrade --install` without the chart repository); --helm: the helm built from its module",
  )
  .option('--helm', 'print the path of helm instead (built once into the cache)')
  .action(async (opts) => finish(await daprChartCommand(opts)));

program
  .command('setup')
  .description(
    'install with apt-get (as root) the servers the local target runs (redis-server, nats-server; rabbitmq-server, mosquitto, postgresql, mariadb-server for the other component sets), busybox-static, gcc, wrk and chromium, and the cluster node packages (containerd, runc, CNI plugins, iptables), then build the runtime, the images and helm',
  )
  .option('--skip-runtime', 'only install the packages')
  .action(async (opts) => finish(await setupCommand(opts)));

const cluster = program
  .command('cluster')
  .description('a real single-node Kubernetes cluster on this machine (as root): up, down, status, build')
  .addHelpText(
    'after',
    `
The cluster's data, logs, kubeconfig and the journal of its changes to this machine live in .run/cluster/.

Examples:
  npm run cluster -- up --detach     # returns once the node is Ready and Dapr is installed; prints the kubeconfig
  npm run deploy:k8s -- --kubeconfig .run/cluster/kubeconfig
  npm run cluster -- status
  npm run cluster -- down            # stops every process and undoes every recorded change to this machine`,
  );
cluster
  .command('up')
  .description(
    'start the cluster (containerd, etcd, kube-apiserver, controller-manager, scheduler, kubelet, kube-proxy, CoreDNS, metrics-server), then install Dapr and its backing services as k8s/dapr-system/README.md says',
  )
  .option('-d, --detach', 'return once the node is Ready and Dapr is installed, and leave it running; stop it with `cluster down`')
  .option(
    '--ready-timeout <seconds>',
    'with --detach: how long to wait (a first start builds the binaries)',
    CLUSTER_UP_DEFAULTS.readyTimeout,
  )
  .option(
    '--no-reference-images',
    "import only the node's own images (pause, CoreDNS), not the reference deployment's (Dapr, apps, harness, Redis, NATS, nats-box); implies --no-dapr",
  )
  .option(
    '--no-dapr',
    "do not install Dapr, its secrets, Redis, NATS and the JetStream stream (by default `up` runs k8s/dapr-system/README.md's single-node commands)",
  )
  .addOption(new Option('--supervise').hideHelp())
  .action(async (opts) => finish(await clusterUpCommand(opts)));
cluster
  .command('down')
  .description('stop the cluster and undo every change it recorded to this machine')
  .action(async () => finish(await clusterDownCommand()));
cluster
  .command('status')
  .description("show the cluster's processes, node readiness and API server")
  .option('--json', 'print JSON')
  .action(async (opts) => finish(await clusterStatusCommand(opts)));
cluster
  .command('build')
  .description('build the binaries the clusters run (Kubernetes, CoreDNS, metrics-server, kwok) into the cache, once')
  .option('--force', 'rebuild the cluster binaries even when cached')
  .action(async (opts) => finish(await clusterBuildCommand(opts)));

addTargetOptions(
  program
    .command('acceptance')
    .description(
      'run the acceptance suites (platform, US1 invocation, US2 pub/sub, US3 state, security, observability) and give a verdict per story',
    ),
)
  .option('-g, --grep <pattern>', 'only tests whose title matches')
  .option('--known-deviations <file>', 'acknowledged failures to show apart (default: known-deviations.yaml)')
  .option('--no-known-deviations', 'apply no known deviations: every failure counts as a failure')
  .option('--bail', 'stop at the first failure')
  .option('--keep-up', 'local: leave the deployment running afterwards to debug (stop it with `down`)')
  .option('-o, --out <dir>', 'write results here instead of reports/runs/<run-id>')
  .addHelpText(
    'after',
    `
Writes results.json, junit.xml and index.html to reports/runs/<run-id>/ (reports/latest points at it).
Exit code: 0 every test ran and passed (failures acknowledged in known-deviations.yaml are shown apart and do not
fail it), 1 a test failed or was skipped (a skip is never a pass), a process died, the run was interrupted or no
test ran, 2 bad flags or configuration.

Examples:
  npm run acceptance                                  # start the local reference deployment, test, stop
  npm run acceptance -- --grep US2                    # only the pub/sub story
  npm run acceptance -- --target external --sidecar sample-app=http://127.0.0.1:3500 --sidecar task-service=http://127.0.0.1:3501
  npm run acceptance -- --keep-up                     # leave it running to debug; npm run down stops it`,
  )
  .action(async (opts) => finish(await acceptanceCommand(opts)));

addTargetOptions(
  program
    .command('chaos')
    .description(
      'run the chaos probes: do the Resiliency policies (retries, timeouts, circuit breakers) and component outages behave as declared',
    ),
)
  .option('-g, --grep <pattern>', 'only probes whose title matches')
  .option('--known-deviations <file>', 'acknowledged failures to show apart (default: known-deviations.yaml)')
  .option('--no-known-deviations', 'apply no known deviations: every failure counts as a failure')
  .option('--bail', 'stop at the first failure')
  .option('--keep-up', 'local: leave the deployment running afterwards to debug (stop it with `down`)')
  .option('-o, --out <dir>', 'write results here instead of reports/runs/<run-id>')
  .addHelpText(
    'after',
    `
Each probe derives what should happen from the deployment's own Resiliency policy, injects faults through the
reference apps' fault controls (or stops our own redis/nats), and records expected vs observed in results.json.

Examples:
  npm run chaos
  npm run chaos -- --grep "circuit breaker"`,
  )
  .action(async (opts) => finish(await chaosCommand(opts)));

program
  .command('matrix')
  .description(
    'component conformance matrix: the pub/sub and state guarantees (US2, US3, redelivery, outages) per component, each set in a deployment of its own',
  )
  .option('--run-file <file>', 'Multi-App Run file to start', UP_DEFAULTS.runFile)
  .option('--pubsub <names>', `pub/sub components, comma-separated (default all: ${MATRIX_COMPONENTS.pubsub.join(',')})`)
  .option('--state <names>', `state stores, comma-separated (default all: ${MATRIX_COMPONENTS.state.join(',')})`)
  .option('--rows <ids>', `guarantees to check, comma-separated (default all: ${MATRIX_ROWS.map((r) => r.id).join(',')})`)
  .option('--known-deviations <file>', 'acknowledged failures to show apart (default: known-deviations.yaml)')
  .option('--no-known-deviations', 'apply no known deviations: every failure counts as a failure')
  .option('-o, --out <dir>', 'write results here instead of reports/runs/<run-id>')
  .addHelpText(
    'after',
    `
Each pub/sub choice runs beside Redis and each state choice beside NATS (4 + 3 deployments, the default set once),
each with the harness's own servers on free loopback ports. results.json holds every set's tests and the matrix;
sets/<set>/ holds each set's own run, logs and metadata.json (the features each component declares). A cell is
passed, failed, known deviation, or not supported (the component does not declare the feature).
Exit code: 0 no cell failed or went unchecked, 1 otherwise, 2 bad flags.

Examples:
  npm run matrix
  npm run matrix -- --pubsub rabbitmq --state postgresql --rows delivery,transaction
  npm run gate -- --criteria my-criteria.yaml --results reports/latest   # e.g. matrix.state.postgresql.transaction: ['rate==1']`,
  )
  .action(async (opts) => finish(await matrixCommand({ ...opts, target: 'local' })));

addTargetOptions(
  program
    .command('load')
    .description(
      'drive load through the deployment and measure it right (coordinated omission corrected): invoke, pubsub, state, autoscale',
    ),
)
  .option('-s, --scenario <names>', 'invoke, pubsub, state, autoscale, several comma-separated, or all', 'all')
  .option('-r, --rate <n/s>', 'arrival rate, e.g. 1000/s (default 1000/s)')
  .option('-d, --duration <time>', 'measured time, e.g. 60s (default 60s)')
  .option('--warmup <time>', 'warm-up before measuring, excluded from figures (default 5s; 0 for none)')
  .option('-c, --connections <n>', 'connections to the target (default 16)')
  .option('--payload <size>', 'request payload, e.g. 1KB (default 1KB)')
  .option('--drain <time>', 'pubsub: wait this long for deliveries after the last publish (default 30s), or until-empty')
  .option('--drain-max <time>', 'pubsub: bound of --drain until-empty (default 5m)')
  .option('--find-capacity', 'step the rate (coarse steps from --rate or 100/s, then bisection) to the highest that meets --criteria')
  .option('--max-time <time>', 'bound of --find-capacity (default 20m); Ctrl-C keeps the steps measured')
  .option('--criteria <file>', 'criteria each --find-capacity step is judged against (default criteria.yaml)')
  .option('--late-after <time>', 'pubsub: a delivery later than this after its publish is late (default 1s)')
  .option(
    '--autoscale-time <time>',
    "autoscale: the longest the load stays on waiting for the HPA's maxReplicas to be Ready; it stops once they are (default 10m)",
  )
  .option(
    '--scale-back <time>',
    'autoscale: how long to wait after the load for the HPA to come back to minReplicas (default 12m; 0: do not wait, scale-back time not measured)',
  )
  .option('--keep-up', 'local: leave the deployment running afterwards (stop it with `down`)')
  .option('-o, --out <dir>', 'write results here instead of reports/runs/<run-id>')
  .addHelpText(
    'after',
    `
Traffic goes only to loopback addresses (a kubectl port-forward counts). Latency is measured from each request's
intended send time, so a stalled deployment shows the wait its users would see. Ctrl-C stops cleanly and keeps
partial results.

Examples:
  npm run load -- --scenario pubsub --rate 1000 --duration 60s
  npm run load -- --scenario all --rate 200/s --duration 30s
  npm run load -- --scenario pubsub --find-capacity --max-time 15m   # the knee: highest rate within criteria.yaml
  npm run gate -- --results reports/latest          # verdict against criteria.yaml`,
  )
  .action(async (opts) => finish(await loadCommand(opts)));

addTargetOptions(
  program.command('all').description('acceptance, chaos and load against one deployment in one run, then the gate on criteria.yaml'),
)
  .option('-g, --grep <pattern>', 'only tests and probes whose title matches')
  .option('--known-deviations <file>', 'acknowledged failures to show apart (default: known-deviations.yaml)')
  .option('--no-known-deviations', 'apply no known deviations: every failure counts as a failure')
  .option('--criteria <file>', 'criteria file for the verdict', DEFAULT_CRITERIA_FILE)
  .option('-r, --rate <n/s>', 'load: arrival rate (default 1000/s)')
  .option('-d, --duration <time>', 'load: measured time per scenario (default 60s)')
  .option('--warmup <time>', 'load: warm-up (default 5s)')
  .option('-c, --connections <n>', 'load: connections (default 16)')
  .option('--payload <size>', 'load: payload (default 1KB)')
  .option('--drain <time>', 'load: pub/sub drain period (default 30s), or until-empty')
  .option('--drain-max <time>', 'load: bound of --drain until-empty (default 5m)')
  .option('--late-after <time>', 'load: pub/sub lateness threshold (default 1s)')
  .option('--keep-up', 'local: leave the deployment running afterwards')
  .option('-o, --out <dir>', 'write results here instead of reports/runs/<run-id>')
  .addHelpText(
    'after',
    "\nExit code: the gate's (0 every criterion passed, 1 a criterion failed or was not measured, 2 bad input).\n\nExample:\n  npm run all -- --rate 500/s --duration 30s",
  )
  .action(async (opts) => finish(await allCommand({ ...opts, scenario: 'all' })));

for (const [name, remove] of [
  ['deploy:k8s', false],
  ['undeploy:k8s', true],
] as const) {
  const command = program
    .command(name)
    .description(
      remove
        ? 'remove the reference deployment of k8s/ from a cluster'
        : 'apply the reference deployment of k8s/ to a cluster (server-side apply)',
    )
    .option('--dir <dir>', 'kustomization folder', 'k8s')
    .option('--kubeconfig <file>', 'kubeconfig file')
    .option('--context <name>', 'kubeconfig context')
    .option('--dry-run', 'server-side dry run: validate and admit, store nothing')
    .option('--force', 'take over fields another field manager owns');
  if (!remove)
    command.option('--no-wait', "don't wait for the Deployments to be Ready (default: wait up to 5 min, as `kubectl rollout status`)");
  command.action(async (opts) => finish(await deployK8sCommand(opts, remove)));
}

program
  .command('report')
  .description('render (or re-render) the HTML report of a run from its results.json')
  .argument('[run-dir]', 'run directory', 'reports/latest')
  .option('--criteria <file>', 'criteria file for the verdict section', DEFAULT_CRITERIA_FILE)
  .option('--no-criteria', 'no verdict section')
  .option('--previous <run-dir>', 'compare with this run instead of the newest earlier run of the same kind')
  .option('--no-previous', 'no comparison with an earlier run')
  .action(async (runDir: string, opts) =>
    finish(await reportCommand({ runDir, criteria: opts.criteria, previous: opts.previous === true ? undefined : opts.previous })),
  );

program
  .command('gate')
  .description('evaluate success criteria (k6-style thresholds) against results.json; exit 1 on any failing criterion')
  .option('--criteria <file>', 'criteria file', DEFAULT_CRITERIA_FILE)
  .option('--results <dir...>', 'run directories (or results.json files) to judge together', ['reports/latest'])
  .addHelpText(
    'after',
    '\nExit code: 0 every criterion passed, 1 a criterion failed or was not measured, 2 malformed criteria or results.\n\nExample:\n  npm run gate -- --criteria criteria.yaml --results reports/latest',
  )
  .action(async (opts) => finish(await gateCommand({ criteria: opts.criteria, results: opts.results })));

program
  .command('review')
  .description(
    'static security review of Dapr Components, Configurations, Resiliency, Subscriptions, Multi-App Run files, Helm values and Dapr workloads',
  )
  .argument('[paths...]', `files or folders (default: ${DEFAULT_REVIEW_PATHS.join(' ')})`)
  .addOption(
    new Option('--format <format>', 'text, json or sarif (SARIF 2.1.0, for GitHub code scanning)')
      .choices([...REVIEW_FORMATS])
      .default('text'),
  )
  .addOption(
    new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices([...SEVERITIES]).default('high'),
  )
  .option('-o, --output <file>', 'write the report to this file instead of stdout')
  .addHelpText(
    'after',
    `
Each finding has a stable rule id, a severity, file:line, what is wrong, why it matters and the fix
(docs/security-review.md lists the rules). A comment \`# dapr-harness: ignore <rule-id> <reason>\` on the
reported line, or on its own line directly above it, suppresses that finding; suppressions are reported.
Exit code: 0 no finding at or above --fail-on, 1 at least one, 2 a file that cannot be read or parsed (file:line).

Examples:
  npm run review                                       # the reference deployment, fail on high or critical
  npm run review -- --fail-on medium k8s/apps
  npm run review -- --format sarif --output review.sarif`,
  )
  .action(async (paths: string[], opts) =>
    finish(await reviewCommand({ paths, format: opts.format, failOn: opts.failOn, output: opts.output })),
  );

function finish(code: number): void {
  process.exitCode = code;
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    const ok = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help';
    process.exitCode = ok ? 0 : 2;
  } else if (err instanceof HarnessError) {
    process.stderr.write(`error ${redact(err.oneLine())}\n`);
    process.exitCode = exitCodeFor(err);
  } else {
    process.stderr.write(`error: ${redact(err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`);
    process.exitCode = 1;
  }
}
