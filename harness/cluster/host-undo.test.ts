import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostJournal, type HostChange } from './host-journal';
import { addedChains, undoHostChanges, type HostOps } from './host-undo';
import { chainRemovalScript, parseIptablesSave } from './host-ops';

/** A machine in memory: what exists, and a log of what undo did to it. */
function fakeMachine() {
  const state = {
    sysctls: new Map<string, string>([['net.ipv4.ip_forward', '1']]),
    procs: new Map<number, number>([
      [100, 7],
      [200, 9],
    ]),
    withArg: new Map<string, number[]>([['/x/containerd.sock', [300]]]),
    cgroups: new Map<string, number[]>([['dh', [400, 401]]]),
    mounts: ['/x/state/a', '/x/state/a/b', '/var/lib/kubelet/pods/v'],
    links: new Set(['dhbr0']),
    paths: new Map<string, string[]>([
      ['/var/lib/kubelet', ['pods']],
      ['/run/containerd/s', ['old', 'new', 'busy']],
      ['/var/lib/cni', ['results', 'theirs']],
      ['/var/lib/cni/theirs', ['sock']],
    ]),
    sockets: new Set(['/run/containerd/s/busy', '/var/lib/cni/theirs/sock']),
    chains: { 'ipv4/nat': ['PREROUTING', 'OLD-CHAIN', 'KUBE-SERVICES', 'CNI-abc'], 'ipv4/filter': ['INPUT', 'KUBE-FIREWALL'] } as Record<
      string,
      string[]
    >,
  };
  const log: string[] = [];
  const ops: HostOps = {
    readSysctl: (k) => state.sysctls.get(k),
    writeSysctl: (k, v) => {
      log.push(`sysctl ${k}=${v}`);
      state.sysctls.set(k, v);
    },
    processStartTime: (pid) => state.procs.get(pid),
    killProcess: async (pid) => {
      log.push(`kill ${pid}`);
      state.procs.delete(pid);
      for (const [k, v] of state.cgroups)
        state.cgroups.set(
          k,
          v.filter((p) => p !== pid),
        );
      for (const [k, v] of state.withArg)
        state.withArg.set(
          k,
          v.filter((p) => p !== pid),
        );
    },
    pidsWithArg: (arg) => state.withArg.get(arg) ?? [],
    cgroupPids: (name) => state.cgroups.get(name) ?? [],
    removeCgroup: (name) => {
      log.push(`rmcgroup ${name}`);
      state.cgroups.delete(name);
    },
    mountsUnder: (p) => state.mounts.filter((m) => m === p || m.startsWith(`${p}/`)).sort((a, b) => b.length - a.length),
    unmount: (m) => {
      log.push(`umount ${m}`);
      state.mounts = state.mounts.filter((x) => x !== m);
    },
    linkExists: (n) => state.links.has(n),
    deleteLink: (n) => {
      log.push(`link del ${n}`);
      state.links.delete(n);
    },
    pathExists: (p) => state.paths.has(p) || [...state.paths.keys()].some((k) => p.startsWith(`${k}/`)),
    listDir: (p) => state.paths.get(p) ?? [],
    removePath: (p) => {
      log.push(`rm ${p}`);
      if (state.paths.has(p)) state.paths.delete(p);
      else {
        const slash = p.lastIndexOf('/');
        const dir = p.slice(0, slash);
        state.paths.set(
          dir,
          (state.paths.get(dir) ?? []).filter((e) => e !== p.slice(slash + 1)),
        );
      }
    },
    unixSocketsInUse: () => state.sockets,
    iptablesChains: () => state.chains,
    removeIptablesChains: (table, chains) => {
      log.push(`iptables ${table} -X ${chains.join(',')}`);
      state.chains[table] = (state.chains[table] ?? []).filter((c) => !chains.includes(c));
    },
  };
  return { state, log, ops };
}

const JOURNAL: HostChange[] = [
  { kind: 'sysctl', key: 'net.ipv4.ip_forward', previous: '0' },
  { kind: 'mounts-under', path: '/x/state' },
  { kind: 'process', name: 'containerd', pid: 100, startTime: 7 },
  { kind: 'processes-with-arg', arg: '/x/containerd.sock' },
  { kind: 'iptables', chainsBefore: { 'ipv4/nat': ['PREROUTING', 'OLD-CHAIN'], 'ipv4/filter': ['INPUT'] }, prefixes: ['KUBE-', 'CNI-'] },
  { kind: 'path', path: '/var/lib/kubelet', existedBefore: false },
  { kind: 'path', path: '/var/lib/cni', existedBefore: false },
  { kind: 'path', path: '/run/containerd/s', existedBefore: true, entriesBefore: ['old'] },
  { kind: 'cgroup', name: 'dh' },
  { kind: 'link', name: 'dhbr0' },
  { kind: 'process', name: 'kubelet', pid: 200, startTime: 8 },
];

describe('undoing the cluster host changes', () => {
  it('undoes newest first: processes before the mounts, cgroups and chains they hold, kernel settings last', async () => {
    const m = fakeMachine();
    const result = await undoHostChanges(JOURNAL, m.ops);
    expect(result.failed).to.deep.equal([]);
    expect(m.log).to.deep.equal([
      'link del dhbr0',
      'kill 400',
      'kill 401',
      'rmcgroup dh',
      'rm /run/containerd/s/new',
      'rm /var/lib/cni/results',
      'umount /var/lib/kubelet/pods/v',
      'rm /var/lib/kubelet',
      'iptables ipv4/nat -X KUBE-SERVICES,CNI-abc',
      'iptables ipv4/filter -X KUBE-FIREWALL',
      'kill 300',
      'kill 100',
      'umount /x/state/a/b',
      'umount /x/state/a',
      'sysctl net.ipv4.ip_forward=0',
    ]);
  });

  it('never kills a process whose pid was reused (its start time differs)', async () => {
    const m = fakeMachine();
    await undoHostChanges(JOURNAL, m.ops);
    // kubelet was recorded with start time 8; pid 200 now belongs to a process started at 9.
    expect(m.log).to.not.include('kill 200');
    expect(m.state.procs.has(200)).to.equal(true);
  });

  it('keeps what existed before: old entries, and a socket another process still listens on', async () => {
    const m = fakeMachine();
    await undoHostChanges(JOURNAL, m.ops);
    expect(m.state.paths.get('/run/containerd/s')).to.deep.equal(['old', 'busy']);
    // Made while the cluster ran, but another process listens on a socket in it: only the rest goes.
    expect(m.state.paths.get('/var/lib/cni')).to.deep.equal(['theirs']);
    expect(m.state.chains['ipv4/nat']).to.deep.equal(['PREROUTING', 'OLD-CHAIN']);
  });

  it('is safe to run again: a second undo finds nothing left to do', async () => {
    const m = fakeMachine();
    await undoHostChanges(JOURNAL, m.ops);
    const again = await undoHostChanges(JOURNAL, m.ops);
    expect(again.failed).to.deep.equal([]);
    expect(again.done.filter((d) => !d.startsWith('kill the processes of cgroup'))).to.deep.equal([]);
  });

  it('keeps going past a step that fails and reports it', async () => {
    const m = fakeMachine();
    m.ops.deleteLink = () => {
      throw new Error('Operation not permitted');
    };
    const result = await undoHostChanges(JOURNAL, m.ops);
    expect(result.failed).to.deep.equal(['delete network interface dhbr0: Operation not permitted']);
    expect(m.log.at(-1)).to.equal('sysctl net.ipv4.ip_forward=0');
  });
});

describe('added iptables chains', () => {
  it('are the chains of the cluster prefixes that were not there before', () => {
    expect(
      addedChains({ 'ipv4/nat': ['KUBE-OLD'] }, { 'ipv4/nat': ['KUBE-OLD', 'KUBE-NEW', 'DOCKER'], 'ipv6/nat': ['KUBE-X'] }, ['KUBE-']),
    ).to.deep.equal({
      'ipv4/nat': ['KUBE-NEW'],
      'ipv6/nat': ['KUBE-X'],
    });
  });

  it('are removed by deleting the jumps to them first, then flushing and deleting them', () => {
    const saved = parseIptablesSave(
      [
        '*nat',
        ':POSTROUTING ACCEPT [0:0]',
        ':CNI-abc - [0:0]',
        ':KUBE-POSTROUTING - [0:0]',
        '-A POSTROUTING -s 10.213.0.5/32 -m comment --comment "name: \\"dhnet\\" id: \\"x\\"" -j CNI-abc',
        '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
        '-A POSTROUTING -o eth0 -j MASQUERADE',
        '-A CNI-abc -d 10.213.0.0/16 -j ACCEPT',
        'COMMIT',
      ].join('\n'),
    ).nat;
    expect(saved?.chains).to.deep.equal(['POSTROUTING', 'CNI-abc', 'KUBE-POSTROUTING']);
    expect(chainRemovalScript('nat', saved!, ['CNI-abc', 'KUBE-POSTROUTING']).split('\n')).to.deep.equal([
      '*nat',
      '-D POSTROUTING -s 10.213.0.5/32 -m comment --comment "name: \\"dhnet\\" id: \\"x\\"" -j CNI-abc',
      '-D POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
      '-F CNI-abc',
      '-F KUBE-POSTROUTING',
      '-X CNI-abc',
      '-X KUBE-POSTROUTING',
      'COMMIT',
      '',
    ]);
  });
});

describe('the host journal', () => {
  it('reads back what was recorded, in order, and ignores a line torn by a crash', () => {
    const dir = mkdtempSync(join(tmpdir(), 'host-journal-'));
    try {
      const j = new HostJournal(join(dir, 'host-changes.jsonl'));
      j.record(JOURNAL[0]!);
      j.record(JOURNAL[1]!);
      appendFileSync(j.file, '{"kind":"link","na');
      expect(j.entries()).to.deep.equal([JOURNAL[0], JOURNAL[1]]);
      writeFileSync(j.file, '');
      expect(j.entries()).to.deep.equal([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
