import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PortAllocator } from '../../harness/targets/local/free-port';
import { contextCopySources, excludedByDockerignore, execCmd, finalStage, parseDockerfile, type Instruction } from './support/dockerfile';
import { isWildcard, listeningAddresses } from './support/listening-sockets';
import { REPO_ROOT, type Manifest } from './support/manifest';
import { renderKustomization } from './support/render-kustomization';
import { unshippableImports } from './support/source-imports';

const SUT_DIR = join(REPO_ROOT, 'system-under-test');
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string }; secretKeyRef?: { optional?: boolean } };
}

interface AppContainer {
  env: EnvVar[];
}

/** The environment the kubelet gives the container, for the fields a local process can stand in for. */
function containerEnv(d: Manifest, port: number): Record<string, string> {
  const c = (d.spec as { template: { spec: { containers: AppContainer[] } } }).template.spec.containers[0] as AppContainer;
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };
  for (const e of c.env) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.name') env[e.name] = `${d.metadata.name}-test-pod`;
    // An optional secret that does not exist leaves the variable unset, as here.
  }
  // The port the container would own alone; on a shared machine a free one stands in.
  env.APP_PORT = String(port);
  return env;
}

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startCmd(cmd: string[], env: Record<string, string>): Started {
  const [file, ...args] = cmd;
  const child = spawn(file as string, args, { cwd: SUT_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForHealthz(port: number, started: Started): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null)
      throw new Error(`exited with ${started.child.exitCode} before /healthz answered:\n${started.output()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`/healthz did not answer within ${START_TIMEOUT_MS} ms:\n${started.output()}`);
}

/**
 * The image's contract with the manifests: its CMD starts the service a Deployment names, with the Deployment's
 * environment, answering /healthz where the kubelet probes it and stopping cleanly on SIGTERM; and the image
 * holds everything the services import. Docker is not needed: the CMD runs here in the folder the image's
 * WORKDIR holds.
 */
describe('k8s manifests: the service image', function () {
  this.timeout(180_000);
  let dockerfile: Instruction[];
  let cmd: string[];
  let deployments: Manifest[];
  const running: Started[] = [];

  before(function () {
    dockerfile = parseDockerfile(readFileSync(join(SUT_DIR, 'Dockerfile'), 'utf8'));
    const parsed = execCmd(dockerfile);
    if (!parsed) throw new Error('system-under-test/Dockerfile has no CMD in exec (JSON) form');
    cmd = parsed;
    deployments = renderKustomization(join(REPO_ROOT, 'k8s')).filter((m) => m.kind === 'Deployment');
  });

  afterEach(async function () {
    for (const s of running.splice(0)) {
      if (s.child.exitCode === null && s.child.signalCode === null) {
        s.child.kill('SIGKILL');
        await s.exited;
      }
    }
  });

  it('builds on node:20-slim, installs production dependencies, runs as node', function () {
    const froms = dockerfile.filter((i) => i.keyword === 'FROM').map((i) => i.args);
    const nodeImage = /NODE_IMAGE=(\S+)/.exec(dockerfile.find((i) => i.keyword === 'ARG' && i.stage === 0)?.args ?? '')?.[1];
    expect(nodeImage).to.match(/^node:20(\.\d+){0,2}-slim$/);
    expect(froms.every((f) => f.startsWith('${NODE_IMAGE}'))).to.equal(true);
    expect(dockerfile.some((i) => i.keyword === 'RUN' && /npm ci --omit=dev/.test(i.args))).to.equal(true);
    expect(
      finalStage(dockerfile)
        .filter((i) => i.keyword === 'USER')
        .pop()?.args,
    ).to.equal('node');
    expect(
      finalStage(dockerfile)
        .filter((i) => i.keyword === 'WORKDIR')
        .pop()?.args,
    ).to.equal('/app/system-under-test');
    expect(cmd.join(' ')).to.match(/exec node --import tsx "\$entry"/);
  });

  it('holds everything the services import', function () {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies)).to.include('tsx');
    expect(unshippableImports(SUT_DIR, Object.keys(pkg.dependencies))).to.deep.equal([]);
    const dockerignore = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8');
    expect(excludedByDockerignore(contextCopySources(dockerfile), dockerignore)).to.deep.equal([]);
  });

  /** Starts each Deployment's service as its container would, and hands it to `check` once /healthz answers. */
  async function eachService(check: (d: Manifest, port: number, started: Started) => Promise<string[]>): Promise<string[]> {
    expect(deployments.length).to.be.greaterThan(0);
    const ports = new PortAllocator();
    const problems: string[] = [];
    for (const d of deployments) {
      const port = await ports.next();
      const started = startCmd(cmd, containerEnv(d, port));
      running.push(started);
      try {
        await waitForHealthz(port, started);
      } catch (err) {
        problems.push(`${d.metadata.name}: ${(err as Error).message}`);
        continue;
      }
      problems.push(...(await check(d, port, started)).map((p) => `${d.metadata.name}: ${p}`));
    }
    return problems;
  }

  it("starts every Deployment's service with its environment and stops it cleanly on SIGTERM", async function () {
    const problems = await eachService(async (_d, _port, started) => {
      // sh must have exec'd node, or the signal would stop at the shell.
      started.child.kill('SIGTERM');
      const code = await Promise.race([started.exited, new Promise<string>((r) => setTimeout(() => r('timeout'), STOP_TIMEOUT_MS))]);
      return code === 0 ? [] : [`after SIGTERM: ${String(code)} instead of exit 0`];
    });
    expect(problems).to.deep.equal([]);
  });

  it("listens where the kubelet probes and the Service connect: on the pod's address, not only loopback", async function () {
    const problems = await eachService(async (_d, port) => {
      const addresses = listeningAddresses(port);
      return addresses.some(isWildcard)
        ? []
        : [
            `listens on ${addresses.join(', ') || '(nothing)'} only, so the kubelet's probes fail; with APP_HOST=0.0.0.0 (set by its Deployment) it must listen on all interfaces`,
          ];
    });
    expect(problems).to.deep.equal([]);
  });

  it('refuses a SERVICE the image does not have, in one line naming the choices', async function () {
    const started = startCmd(cmd, { PATH: process.env.PATH ?? '', SERVICE: 'no-such-service', APP_PORT: '1' });
    running.push(started);
    expect(await started.exited).to.equal(64);
    expect(started.output().trim()).to.match(
      /^SERVICE=no-such-service: no services\/no-such-service\/main\.ts in this image · set SERVICE to one of: .*sample-app/,
    );
    expect(started.output().trim().split('\n')).to.have.length(1);
  });

  it('reports a COPY source the .dockerignore leaves out', function () {
    expect(
      excludedByDockerignore(['package.json', 'tsconfig.json', 'system-under-test'], '*\n!package.json\n!system-under-test/\n'),
    ).to.deep.equal(['tsconfig.json']);
  });

  it('reports an import the production install would not have', function () {
    expect(unshippableImports(SUT_DIR, ['tsx'])).to.include.members([
      'system-under-test/lib/service.ts: imports express, which is not in package.json "dependencies"',
    ]);
  });
});
