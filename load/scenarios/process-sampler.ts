import { readFileSync } from 'node:fs';

export interface ProcessSample {
  process: string;
  t: number;
  cpuPercent: number;
  rssMb: number;
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

function readCpuTicks(pid: number): number | undefined {
  try {
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

function readRssMb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** What one process used between start and stop: CPU-seconds from its cumulative ticks, and its peak RSS. */
export interface ProcessUsage {
  process: string;
  cpuSeconds: number;
  peakRssMb: number;
}

/** Busy share of all the machine's cores between two reads of /proc/stat (idle and iowait count as not busy). */
export function readMachineTicks(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - (f[3] ?? 0) - (f[4] ?? 0), total };
  } catch {
    return undefined;
  }
}

/**
 * Samples CPU and memory of named processes from /proc once a second (the local target's daprd and apps), so a
 * scenario can show what the sidecars cost under load.
 */
export class ProcessSampler {
  private readonly samples: ProcessSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private last = new Map<number, { ticks: number; at: number }>();
  private readonly first = new Map<number, number>();
  private readonly peakRss = new Map<number, number>();
  private started = 0;
  private stoppedAt = 0;
  private machineStart: { busy: number; total: number } | undefined;
  private machineEnd: { busy: number; total: number } | undefined;

  constructor(
    private readonly processes: { name: string; pid: number | undefined }[],
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    this.started = Date.now();
    this.machineStart = readMachineTicks();
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): ProcessSample[] {
    if (this.timer) {
      clearInterval(this.timer);
      this.sample();
      this.stoppedAt = Date.now();
      this.machineEnd = readMachineTicks();
    }
    this.timer = undefined;
    return this.samples;
  }

  /** Per process, between start and stop (call after stop). */
  usage(): ProcessUsage[] {
    const out: ProcessUsage[] = [];
    for (const p of this.processes) {
      if (!p.pid) continue;
      const first = this.first.get(p.pid);
      const last = this.last.get(p.pid);
      if (first === undefined || !last) continue;
      out.push({
        process: p.name,
        cpuSeconds: (last.ticks - first) / CLOCK_TICKS,
        peakRssMb: Math.round((this.peakRss.get(p.pid) ?? 0) * 10) / 10,
      });
    }
    return out;
  }

  /** Seconds between start and stop, and the busy share of all cores over them (undefined without /proc/stat). */
  window(): { seconds: number; machineBusyShare?: number } {
    const seconds = Math.max(0, (this.stoppedAt || Date.now()) - this.started) / 1000;
    const a = this.machineStart;
    const b = this.machineEnd;
    return a && b && b.total > a.total ? { seconds, machineBusyShare: (b.busy - a.busy) / (b.total - a.total) } : { seconds };
  }

  private sample(): void {
    const now = Date.now();
    for (const p of this.processes) {
      if (!p.pid) continue;
      const ticks = readCpuTicks(p.pid);
      const rss = readRssMb(p.pid);
      if (ticks === undefined || rss === undefined) continue;
      const prev = this.last.get(p.pid);
      this.last.set(p.pid, { ticks, at: now });
      if (!this.first.has(p.pid)) this.first.set(p.pid, ticks);
      this.peakRss.set(p.pid, Math.max(this.peakRss.get(p.pid) ?? 0, rss));
      if (!prev || now <= prev.at) continue;
      const cpuPercent = (((ticks - prev.ticks) / CLOCK_TICKS) * 1000 * 100) / (now - prev.at);
      this.samples.push({
        process: p.name,
        t: Math.round((now - this.started) / 100) / 10,
        cpuPercent: Math.round(cpuPercent * 10) / 10,
        rssMb: Math.round(rss * 10) / 10,
      });
    }
  }
}
