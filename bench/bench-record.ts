import type { CapacityStepRecord, CostRecord } from '../harness/results/results-model';

/** What one `npm run bench` measured, written to reports/bench/bench.json; the README section is rendered from it. */
export interface BenchRecord {
  date: string;
  host: string;
  cpuModel: string;
  cores: number;
  /** 1-minute load average before and after: says how shared the machine was. */
  loadAverage: { start: number; end: number };
  node: string;
  command: string;
  maxRate: {
    command: string;
    connections: number;
    seconds: number;
    rounds: number;
    driver: number;
    autocannon: number;
    /** Undefined when wrk is not installed. */
    wrk?: number;
  };
  stall: {
    command: string;
    stallMs: number;
    periodMs: number;
    ratePerSecond: number;
    seconds: number;
    truthP99Ms: number;
    correctedP99Ms: number;
    uncorrectedP99Ms: number;
    driverLimited: boolean;
    autocannonP99Ms: number;
    wrkP99Ms?: number;
  };
  capacity: {
    scenario: string;
    command: string;
    runDir: string;
    maxMetRatePerSecond?: number;
    brokenRatePerSecond?: number;
    endedBy: string;
    steps: CapacityStepRecord[];
    cost?: CostRecord;
    error?: string;
  }[];
}
