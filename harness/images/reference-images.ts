import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Progress } from '../console/progress';
import { REPO_ROOT } from '../paths';
import { requireCommand } from '../process/required-commands';
import { buildControlPlane, CONTROL_PLANE_BINARIES } from '../runtime/control-plane-build';
import { busyboxEntries } from './busybox';
import { appsImageRef, daprImageRefs, harnessImageRef, natsImageRef, natsBoxImageRef, redisImageRef } from './image-refs';
import { natsCli } from './natscli';
import type { ImageArchive, ImageEntry, ImageSpec } from './image-spec';
import { ensureProductionNodeModules } from './production-node-modules';
import { sharedLibraryEntries } from './shared-libraries';
import { writeImage } from './write-image';

/** The non-root user of Dapr's chart (distroless "nonroot"): its pods refuse an image that runs as root. */
const NONROOT = 65532;
/**
 * The `node` user of the official Node images, which the reference apps' and the harness's manifests run as. The
 * image says it by number: the kubelet cannot check runAsNonRoot against a user name.
 */
const NODE_USER = 1000;

const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

function accounts(users: { name: string; uid: number; home: string }[]): ImageEntry[] {
  const all = [{ name: 'root', uid: 0, home: '/root' }, ...users];
  return [
    { target: '/etc/passwd', content: all.map((u) => `${u.name}:x:${u.uid}:${u.uid}::${u.home}:/sbin/nologin\n`).join('') },
    { target: '/etc/group', content: all.map((u) => `${u.name}:x:${u.uid}:\n`).join('') },
    { target: '/tmp', dir: true, mode: 0o1777 },
    ...users.filter((u) => u.home !== '/').map((u) => ({ target: u.home, dir: true, mode: 0o755, uid: u.uid, gid: u.uid })),
  ];
}

function caBundle(): ImageEntry[] {
  return existsSync(CA_BUNDLE) ? [{ target: CA_BUNDLE, source: CA_BUNDLE }] : [];
}

/** Dapr's binaries at the paths the chart runs them from (`/operator`, `/daprd`, …), one image under every chart name. */
export async function daprImageSpec(progress: Progress): Promise<ImageSpec> {
  const { binaries } = await buildControlPlane(progress);
  return {
    name: 'dapr',
    refs: daprImageRefs(binaries.version),
    layers: [
      { entries: [...accounts([{ name: 'nonroot', uid: NONROOT, home: '/home/nonroot' }]), ...caBundle()] },
      { entries: CONTROL_PLANE_BINARIES.map((name) => ({ target: `/${name}`, source: binaries.paths[name], mode: 0o755 })) },
    ],
    config: { user: String(NONROOT), workingDir: '/', env: ['PATH=/'] },
  };
}

/** Node from this machine, with the libraries and loader it links against. */
function nodeRuntime(): ImageEntry[] {
  const node = requireCommand('node', 'install Node.js 20');
  return [{ target: '/usr/local/bin/node', source: node, mode: 0o755 }, ...sharedLibraryEntries([node])];
}

const NODE_ENV = ['PATH=/usr/local/bin:/usr/bin:/bin', 'NODE_ENV=production'];

/** system-under-test/Dockerfile's image: the services run by tsx, SERVICE choosing one, as user node. */
export async function appsImageSpec(progress: Progress): Promise<ImageSpec> {
  const modules = await ensureProductionNodeModules(progress);
  const app = (rel: string): ImageEntry => ({ target: `/app/${rel}`, source: join(REPO_ROOT, rel) });
  return {
    name: 'reference-apps',
    refs: [appsImageRef()],
    layers: [
      { entries: [...accounts([{ name: 'node', uid: NODE_USER, home: '/home/node' }]), ...busyboxEntries(), ...nodeRuntime()] },
      { entries: [{ target: '/app/node_modules', source: modules }] },
      {
        entries: [
          app('package.json'),
          app('tsconfig.json'),
          // The Dockerfile's .dockerignore: tests, nested node_modules, the Dockerfile and the Multi-App Run file stay out.
          { ...app('system-under-test'), exclude: ['*.test.ts', 'node_modules', 'Dockerfile', 'dapr.yaml'] },
        ],
      },
    ],
    config: {
      env: [...NODE_ENV, 'SERVICE=sample-app', 'APP_PORT=8080'],
      workingDir: '/app/system-under-test',
      user: String(NODE_USER),
      exposedPorts: ['8080'],
      labels: {
        'org.opencontainers.image.title': 'dapr-harness system-under-test',
        'org.opencontainers.image.description': 'Reference services of the dapr-harness; SERVICE selects one',
      },
      cmd: [
        '/bin/sh',
        '-c',
        'entry="services/${SERVICE}/main.ts"; if [ ! -f "$entry" ]; then echo "SERVICE=${SERVICE}: no $entry in this image · set SERVICE to one of: $(ls services | tr \'\\n\' \' \')" >&2; exit 64; fi; exec node --import tsx "$entry"',
      ],
    },
  };
}

/** k8s/harness/Dockerfile's image: the CLI and its suites run by tsx, as user node. */
export async function harnessImageSpec(progress: Progress): Promise<ImageSpec> {
  const modules = await ensureProductionNodeModules(progress);
  const copy = (rel: string): ImageEntry => ({
    target: `/harness/${rel}`,
    source: join(REPO_ROOT, rel),
    // k8s/harness/Dockerfile.dockerignore
    exclude: ['*.test.ts', 'harness/targets/kubernetes/test-env'].map((p) => (p.startsWith(`${rel}/`) ? p.slice(rel.length + 1) : p)),
  });
  return {
    name: 'harness',
    refs: [harnessImageRef()],
    layers: [
      { entries: [...accounts([{ name: 'node', uid: NODE_USER, home: '/home/node' }]), ...busyboxEntries(), ...nodeRuntime()] },
      { entries: [{ target: '/harness/node_modules', source: modules }] },
      {
        entries: [
          { target: '/harness/package.json', source: join(REPO_ROOT, 'package.json') },
          { target: '/harness/criteria.yaml', source: join(REPO_ROOT, 'criteria.yaml') },
          ...['harness', 'suites', 'load', 'reports/templates', 'dapr-components'].map(copy),
        ],
      },
    ],
    config: {
      env: NODE_ENV,
      workingDir: '/harness',
      user: String(NODE_USER),
      entrypoint: ['node', '--import', 'tsx', 'harness/cli/main.ts'],
      cmd: ['acceptance', '--target', 'kubernetes'],
    },
  };
}

/** A Debian server binary with its libraries, run as its own user with its data in /data. */
function debianServerImageSpec(server: {
  name: string;
  ref: string;
  command: string;
  uid: number;
  args: string[];
  ports: string[];
}): ImageSpec {
  const binary = requireCommand(server.command, `\`apt-get install ${server.command}\` (or \`npm run setup\` as root)`);
  return {
    name: server.name,
    refs: [server.ref],
    layers: [
      {
        entries: [
          ...accounts([{ name: server.name, uid: server.uid, home: '/data' }]),
          { target: binary, source: binary, mode: 0o755 },
          ...sharedLibraryEntries([binary]),
        ],
      },
    ],
    config: { entrypoint: [binary], cmd: server.args, user: String(server.uid), workingDir: '/data', exposedPorts: server.ports },
  };
}

/** Debian's redis-server (the entrypoint is its path on this machine, /usr/bin/redis-server). */
export function redisImageSpec(): ImageSpec {
  return debianServerImageSpec({
    name: 'redis',
    ref: redisImageRef(),
    command: 'redis-server',
    uid: 999,
    args: ['--bind', '0.0.0.0', '--protected-mode', 'no', '--dir', '/data'],
    ports: ['6379'],
  });
}

/** Debian's nats-server (/usr/sbin/nats-server) with JetStream's store in /data. */
export function natsImageSpec(): ImageSpec {
  return debianServerImageSpec({
    name: 'nats',
    ref: natsImageRef(),
    command: 'nats-server',
    uid: 1000,
    args: ['--jetstream', '--store_dir', '/data', '--http_port', '8222'],
    ports: ['4222', '8222'],
  });
}

/** The JetStream stream Job's image: busybox's shell and tools and the nats CLI that nats-box carries, as user 1000. */
export function natsBoxImageSpec(): ImageSpec {
  const nats = natsCli();
  return {
    name: 'nats-box',
    refs: [natsBoxImageRef()],
    layers: [
      {
        entries: [
          ...accounts([{ name: 'nats', uid: 1000, home: '/home/nats' }]),
          ...busyboxEntries(),
          { target: '/usr/local/bin/nats', source: nats, mode: 0o755 },
          ...sharedLibraryEntries([nats]),
        ],
      },
    ],
    config: { env: ['PATH=/usr/local/bin:/usr/bin:/bin'], user: '1000', workingDir: '/home/nats', cmd: ['/bin/sh'] },
  };
}

/**
 * The images the reference deployment runs on a cluster: Dapr (under each of its chart's names), the reference
 * apps, the in-cluster harness, Redis, NATS and the JetStream stream Job's nats-box. Built and written once; later calls return the cached archives.
 */
export async function ensureReferenceImages(progress: Progress): Promise<ImageArchive[]> {
  const specs = [
    await daprImageSpec(progress),
    await appsImageSpec(progress),
    await harnessImageSpec(progress),
    redisImageSpec(),
    natsImageSpec(),
    natsBoxImageSpec(),
  ];
  const archives: ImageArchive[] = [];
  for (const spec of specs) archives.push(await writeImage(spec, progress));
  return archives;
}
