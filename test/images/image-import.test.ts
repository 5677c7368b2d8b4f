import { expect } from 'chai';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { PAUSE_IMAGE_REF, ensurePauseImage, importImageArchives, writeImage, type ImageSpec } from '../../harness/images/index';
import { normalizeImageRef } from '../../harness/images/import-images';
import { silentProgress } from '../../harness/console/progress';
import { poll } from '../../harness/process/wait/poll';
import { requireCommand } from '../../harness/process/required-commands';
import { startThrowawayContainerd, type ThrowawayContainerd } from '../support/throwaway-containerd';

const NS = 'k8s.io';

/**
 * Images written by the image writer, imported with `ctr` into a containerd of the test's own, as the cluster's
 * containerd gets them: the names, the config and the files are what the spec said, and the pause image runs.
 */
describe('images: write, import into containerd, run', function () {
  this.timeout(300_000);
  let containerd: ThrowawayContainerd;
  let work: string;
  const savedCache = process.env.XDG_CACHE_HOME;
  const savedGoCache = process.env.GOCACHE;

  before(async function () {
    // Missing tools fail the suite with the install hint: a skip is never a pass.
    requireCommand('containerd', '`apt-get install containerd runc` (or `npm run setup` as root)');
    requireCommand('ctr', '`apt-get install containerd`');
    requireCommand('runc', '`apt-get install runc`');
    work = mkdtempSync(join(tmpdir(), 'dapr-harness-images-'));
    // A cache of the test's own: archives written here are not the ones the cluster uses. Go's build cache
    // follows XDG_CACHE_HOME too, so it is pinned first or the writer would compile from nothing.
    process.env.GOCACHE ||= execFileSync('go', ['env', 'GOCACHE'], { encoding: 'utf8' }).trim();
    process.env.XDG_CACHE_HOME = join(work, 'cache');
    const src = join(work, 'src');
    mkdirSync(join(src, 'app', 'lib'), { recursive: true });
    writeFileSync(join(src, 'tool'), '#!/bin/true\n', { mode: 0o700 });
    writeFileSync(join(src, 'app', 'lib', 'index.js'), 'module.exports = 1;\n', { mode: 0o640 });
    symlinkSync('lib/index.js', join(src, 'app', 'main.js'));
    containerd = await startThrowawayContainerd();
  });

  after(async function () {
    if (savedCache === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = savedCache;
    if (savedGoCache === undefined) delete process.env.GOCACHE;
    else process.env.GOCACHE = savedGoCache;
    await containerd?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
    expect(containerd ? existsSync(containerd.dir) : false, 'containerd dir left behind').to.equal(false);
  });

  function sampleSpec(): ImageSpec {
    const src = join(work, 'src');
    return {
      name: 'sample',
      refs: ['dapr-harness.test/sample:1.0', 'sample-bare:2'],
      layers: [
        { entries: [{ target: '/usr/local/bin/tool', source: join(src, 'tool'), mode: 0o755 }] },
        {
          entries: [
            { target: '/app', source: join(src, 'app'), uid: 65532, gid: 65532 },
            { target: '/tmp', dir: true, mode: 0o1777 },
            { target: '/etc/passwd', content: 'root:x:0:0::/root:/sbin/nologin\nnonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n' },
            { target: '/bin/tool', symlink: '/usr/local/bin/tool' },
          ],
        },
      ],
      config: {
        entrypoint: ['/usr/local/bin/tool'],
        cmd: ['--serve'],
        env: ['PATH=/usr/local/bin:/bin', 'MODE=test'],
        user: '65532:65532',
        workingDir: '/app',
        exposedPorts: ['8080', '9090/udp'],
        labels: { 'org.opencontainers.image.title': 'sample' },
      },
    };
  }

  async function imageConfig(ref: string): Promise<{ config: Record<string, unknown>; os: string; architecture: string }> {
    const listed = await containerd.ctr(NS, 'images', 'list');
    const row = listed.split('\n').find((line) => line.startsWith(`${ref} `));
    const manifestDigest = row?.split(/\s+/)[2];
    expect(manifestDigest, `${ref} in:\n${listed}`).to.match(/^sha256:/);
    const manifest = JSON.parse(await containerd.ctr(NS, 'content', 'get', manifestDigest!)) as { config: { digest: string } };
    return JSON.parse(await containerd.ctr(NS, 'content', 'get', manifest.config.digest)) as never;
  }

  it('imports an image under every ref with the config and files its spec gives', async function () {
    const archive = await writeImage(sampleSpec());
    expect(archive.refs).to.deep.equal(['dapr-harness.test/sample:1.0', 'sample-bare:2']);
    await importImageArchives([archive], { ctrPath: 'ctr', containerdAddress: containerd.address });

    const names = (await containerd.ctr(NS, 'images', 'list', '--quiet')).split('\n');
    expect(names).to.include.members(['dapr-harness.test/sample:1.0', 'docker.io/library/sample-bare:2']);

    const image = await imageConfig('dapr-harness.test/sample:1.0');
    expect(image.os).to.equal('linux');
    expect(image.architecture).to.equal('amd64');
    expect(image.config).to.deep.include({
      User: '65532:65532',
      Entrypoint: ['/usr/local/bin/tool'],
      Cmd: ['--serve'],
      Env: ['PATH=/usr/local/bin:/bin', 'MODE=test'],
      WorkingDir: '/app',
      ExposedPorts: { '8080/tcp': {}, '9090/udp': {} },
      Labels: { 'org.opencontainers.image.title': 'sample' },
    });

    const root = join(work, 'mnt');
    mkdirSync(root, { recursive: true });
    await containerd.ctr(NS, 'images', 'mount', 'dapr-harness.test/sample:1.0', root);
    try {
      const tool = statSync(join(root, 'usr/local/bin/tool'));
      expect(tool.mode & 0o7777, 'tool mode').to.equal(0o755);
      expect([tool.uid, tool.gid]).to.deep.equal([0, 0]);
      const lib = statSync(join(root, 'app/lib/index.js'));
      expect(lib.mode & 0o7777, 'host mode kept inside a copied dir').to.equal(0o640);
      expect([lib.uid, lib.gid]).to.deep.equal([65532, 65532]);
      expect(statSync(join(root, 'app')).uid).to.equal(65532);
      expect(readlinkSync(join(root, 'app/main.js'))).to.equal('lib/index.js');
      expect(readlinkSync(join(root, 'bin/tool'))).to.equal('/usr/local/bin/tool');
      expect(lstatSync(join(root, 'tmp')).mode & 0o7777).to.equal(0o1777);
      expect(readFileSync(join(root, 'etc/passwd'), 'utf8')).to.contain('nonroot:x:65532');
      expect(statSync(join(root, 'usr/local')).mode & 0o7777, 'parents nobody named').to.equal(0o755);
    } finally {
      await containerd.ctr(NS, 'images', 'unmount', '--rm', root);
    }
  });

  it('reuses an archive while its inputs are unchanged and writes a new one when a source file changes', async function () {
    const first = await writeImage(sampleSpec());
    const written = statSync(first.archivePath).mtimeMs;
    const again = await writeImage(sampleSpec());
    expect(again.archivePath).to.equal(first.archivePath);
    expect(statSync(again.archivePath).mtimeMs).to.equal(written);

    const later = new Date(Date.now() + 5_000);
    utimesSync(join(work, 'src', 'app', 'lib', 'index.js'), later, later);
    const changed = await writeImage(sampleSpec());
    expect(changed.archivePath).to.not.equal(first.archivePath);
    expect(existsSync(first.archivePath), 'the outdated archive is removed').to.equal(false);

    const otherConfig = await writeImage({ ...sampleSpec(), config: { ...sampleSpec().config, user: '1000' } });
    expect(otherConfig.archivePath).to.not.equal(changed.archivePath);
  });

  it('names a ref containerd does not list after the import', async function () {
    const archive = await writeImage(sampleSpec());
    const err = await importImageArchives([{ ...archive, refs: [...archive.refs, 'dapr-harness.test/absent:1'] }], {
      ctrPath: 'ctr',
      containerdAddress: containerd.address,
    }).catch((e: unknown) => e as Error);
    expect(err).to.be.instanceOf(Error);
    expect((err as Error).message).to.contain('dapr-harness.test/absent:1');
  });

  it('runs the pause image as a non-root task that exits 0 on SIGTERM', async function () {
    const archive = await ensurePauseImage(silentProgress);
    expect(archive.refs).to.deep.equal([PAUSE_IMAGE_REF]);
    await importImageArchives([archive], { ctrPath: 'ctr', containerdAddress: containerd.address });
    expect((await imageConfig(normalizeImageRef(PAUSE_IMAGE_REF))).config).to.deep.include({ Entrypoint: ['/pause'], User: '65535:65535' });

    const id = 'pause-under-test';
    await containerd.ctr(NS, 'run', '--detach', PAUSE_IMAGE_REF, id);
    try {
      await poll('the pause task to run', async () =>
        new RegExp(`^${id}\\s+\\d+\\s+RUNNING`, 'm').test(await containerd.ctr(NS, 'tasks', 'list')),
      );
      const pid = Number(
        /^\S+\s+(\d+)/m.exec((await containerd.ctr(NS, 'tasks', 'list')).split('\n').find((l) => l.startsWith(id)) ?? '')?.[1],
      );
      expect(readFileSync(`/proc/${pid}/status`, 'utf8')).to.match(/^Uid:\s+65535\s/m);
      await containerd.ctr(NS, 'tasks', 'kill', '--signal', 'SIGTERM', id);
      await poll('the pause task to stop', async () =>
        new RegExp(`^${id}\\s+\\d+\\s+STOPPED`, 'm').test(await containerd.ctr(NS, 'tasks', 'list')),
      );
      // `ctr tasks delete` fails with the task's exit code when it is not 0.
      await containerd.ctr(NS, 'tasks', 'delete', id);
    } finally {
      await containerd.ctr(NS, 'tasks', 'delete', '--force', id).catch(() => undefined);
      await containerd.ctr(NS, 'containers', 'delete', id).catch(() => undefined);
    }
  });
});
