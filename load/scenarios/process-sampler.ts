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

/**
 * Samples CPU and memory of named processes from /proc once a second (the local target's daprd and apps), so a
 * scenario can show what the sidecars cost under load.
 */
export class ProcessSampler {
  private readonly samples: ProcessSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private last = new Map<number, { ticks: number; at: number }>();
  private started = 0;

  constructor(
    private readonly processes: { name: string; pid: number | undefined }[],
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    this.started = Date.now();
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): ProcessSample[] {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    return this.samples;
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
