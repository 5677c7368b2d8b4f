import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentProgress } from '../console/progress';
import { builtInto, goBuildInto } from './go-build';

/** Builds into the cache appear whole or not at all: a failed build leaves nothing a later run would take as built. */
describe('go builds into the cache', function () {
  this.timeout(120_000);
  let work: string;

  beforeEach(function () {
    work = mkdtempSync(join(tmpdir(), 'dapr-harness-gobuild-'));
    mkdirSync(join(work, 'mod', 'cmd', 'hello'), { recursive: true });
    writeFileSync(join(work, 'mod', 'go.mod'), 'module example.com/hello\n\ngo 1.22\n');
  });

  afterEach(function () {
    rmSync(work, { recursive: true, force: true });
  });

  const program = (body: string): void => writeFileSync(join(work, 'mod', 'cmd', 'hello', 'main.go'), `package main\n\nfunc main() {\n${body}\n}\n`);

  it('renames a finished build into place and counts it as built', async function () {
    program('println("hi")');
    const dir = join(work, 'cache', 'hello-v1');
    expect(builtInto(dir, ['hello'])).to.equal(false);
    await goBuildInto(dir, { moduleDir: join(work, 'mod'), packages: ['./cmd/hello'], outputs: ['hello'], what: 'hello', progress: silentProgress });
    expect(builtInto(dir, ['hello'])).to.equal(true);
    expect(readdirSync(join(work, 'cache')), 'no staging dir left').to.deep.equal(['hello-v1']);
  });

  it('leaves neither the dir nor a staging dir when the build fails, and a failed rebuild keeps the finished build', async function () {
    program('this does not compile');
    const dir = join(work, 'cache', 'hello-v1');
    const err = await goBuildInto(dir, { moduleDir: join(work, 'mod'), packages: ['./cmd/hello'], outputs: ['hello'], what: 'hello', progress: silentProgress }).catch(
      (e: Error) => e,
    );
    expect(err).to.be.instanceOf(Error);
    expect((err as Error).message).to.contain('hello failed');
    expect(existsSync(dir)).to.equal(false);
    expect(readdirSync(join(work, 'cache'))).to.deep.equal([]);

    program('println("hi")');
    const opts = { moduleDir: join(work, 'mod'), packages: ['./cmd/hello'], outputs: ['hello'], what: 'hello', progress: silentProgress };
    await goBuildInto(dir, opts);
    program('this does not compile');
    await goBuildInto(dir, opts).catch(() => undefined);
    expect(builtInto(dir, ['hello'])).to.equal(true);
    expect(readdirSync(join(work, 'cache'))).to.deep.equal(['hello-v1']);
  });

  it('refuses a build that does not produce every output', async function () {
    program('println("hi")');
    const dir = join(work, 'cache', 'hello-v1');
    const err = await goBuildInto(dir, { moduleDir: join(work, 'mod'), packages: ['./cmd/hello'], outputs: ['hello', 'missing'], what: 'hello', progress: silentProgress }).catch(
      (e: Error) => e,
    );
    expect((err as Error).message).to.contain('did not produce missing');
    expect(existsSync(dir)).to.equal(false);
  });
});
