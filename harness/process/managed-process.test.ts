import { expect } from 'chai';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagedProcess, type ProcessExit } from './managed-process';
import { pidAlive } from './pid-alive';
import { forLogMessage } from './wait/wait-for-log';
import { forPort } from './wait/wait-for-port';
import { poll } from './wait/poll';
import { LifecycleStack, ParallelGroup } from './lifecycle-stack';
import { HarnessError } from '../errors/harness-error';

const alive = pidAlive;

describe('ManagedProcess', () => {
  const dir = mkdtempSync(join(tmpdir(), 'managed-process-'));

  it('is ready when its wait strategy says so, and stop() ends its whole process group', async () => {
    // The shell starts a grandchild that would outlive a stop that signalled only the shell.
    const proc = new ManagedProcess({
      name: 'tree',
      command: 'sh',
      args: ['-c', 'sleep 300 & echo "child $!"; echo ready; wait'],
      logFile: join(dir, 'tree.log'),
      wait: forLogMessage(/^ready$/),
      startTimeoutMs: 5000,
    });
    await proc.start();
    const childPid = Number(/child (\d+)/.exec(readFileSync(join(dir, 'tree.log'), 'utf8'))?.[1]);
    expect(alive(childPid)).to.equal(true);
    await proc.stop();
    expect(proc.running).to.equal(false);
    // The group was signalled with the shell; on a loaded machine the grandchild may take a moment to die after
    // the shell has, so give it a bounded moment rather than reading its state at the same instant.
    await poll('the grandchild to end', async () => !alive(childPid), { timeoutMs: 5000, intervalMs: 50 });
    expect(alive(childPid)).to.equal(false);
  });

  it('kills a process that ignores SIGTERM once the grace period is over', async () => {
    const proc = new ManagedProcess({
      name: 'stubborn',
      command: 'sh',
      args: ['-c', 'trap "" TERM; echo up; while true; do sleep 1; done'],
      logFile: join(dir, 'stubborn.log'),
      wait: forLogMessage(/up/),
      stopGraceMs: 300,
    });
    await proc.start();
    const pid = proc.pid as number;
    await proc.stop();
    expect(alive(pid)).to.equal(false);
    expect(proc.lastExit()?.signal).to.equal('SIGKILL');
  });

  it('tells exit listeners whether stop() asked for the exit or the process died (killed from outside)', async () => {
    const proc = new ManagedProcess({
      name: 'mortal',
      command: 'sh',
      args: ['-c', 'echo up; while true; do sleep 1; done'],
      logFile: join(dir, 'mortal.log'),
      wait: forLogMessage(/up/),
    });
    const exits: ProcessExit[] = [];
    proc.onExit((e) => exits.push(e));
    await proc.start();
    process.kill(proc.pid as number, 'SIGKILL');
    const deadline = Date.now() + 5000;
    while (exits.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(exits.map(({ signal, requested, duringStart }) => ({ signal, requested, duringStart }))).to.deep.equal([
      { signal: 'SIGKILL', requested: false, duringStart: false },
    ]);
    // A new life: the harness stops it, which is no death.
    await proc.start();
    await proc.stop();
    expect(exits.map((e) => e.requested)).to.deep.equal([false, true]);
  });

  it('reports a process that exits before it is ready, with its last log lines', async () => {
    const proc = new ManagedProcess({
      name: 'crasher',
      command: 'sh',
      args: ['-c', 'echo "bad config at line 3"; exit 3'],
      logFile: join(dir, 'crasher.log'),
      wait: forPort('127.0.0.1', 1),
    });
    const err = await proc.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(HarnessError);
    expect((err as HarnessError).code).to.equal('PROCESS_EXITED');
    expect((err as HarnessError).message)
      .to.contain('code 3')
      .and.to.contain('bad config at line 3');
  });

  it('times out a process that never becomes ready, naming what it waited for', async () => {
    const proc = new ManagedProcess({
      name: 'silent',
      command: 'sleep',
      args: ['30'],
      logFile: join(dir, 'silent.log'),
      wait: forLogMessage(/never/),
      startTimeoutMs: 300,
    });
    const err = (await proc.start().then(
      () => undefined,
      (e: unknown) => e,
    )) as HarnessError;
    expect(err.code).to.equal('START_TIMEOUT');
    expect(err.message).to.contain('log line matching /never/');
    await proc.stop();
    expect(proc.running).to.equal(false);
  });

  it('stops a start in progress when its cancel signal aborts', async () => {
    const controller = new AbortController();
    const proc = new ManagedProcess({
      name: 'slow',
      command: 'sleep',
      args: ['30'],
      logFile: join(dir, 'slow.log'),
      wait: forLogMessage(/never/),
    });
    setTimeout(() => controller.abort(new Error('cancelled')), 100);
    const err = (await proc.start(controller.signal).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;
    expect(err.message).to.equal('cancelled');
    await proc.stop();
    expect(proc.running).to.equal(false);
  });

  it('can be started again after a stop (a dependency restarted by a chaos probe)', async () => {
    const proc = new ManagedProcess({
      name: 'again',
      command: 'sh',
      args: ['-c', 'echo up; sleep 30'],
      logFile: join(dir, 'again.log'),
      wait: forLogMessage(/up/),
    });
    await proc.start();
    const first = proc.pid;
    await proc.stop();
    await proc.start();
    expect(proc.pid).not.to.equal(first);
    expect(proc.running).to.equal(true);
    await proc.stop();
  });
});

describe('LifecycleStack', () => {
  it('stops in reverse order, keeps going past a failing stop, and reports it', async () => {
    const order: string[] = [];
    const stack = new LifecycleStack();
    stack.push({ name: 'first', stop: async () => void order.push('first') });
    stack.push({
      name: 'broken',
      stop: async () => {
        order.push('broken');
        throw new Error('no');
      },
    });
    const group = stack.push(new ParallelGroup('group'));
    group.add({ name: 'g1', stop: async () => void order.push('g1') });
    const failed = await stack.stopAll();
    expect(order).to.deep.equal(['g1', 'broken', 'first']);
    expect(failed).to.deep.equal(['broken']);
    expect(await stack.stopAll()).to.deep.equal(['broken']);
  });
});
