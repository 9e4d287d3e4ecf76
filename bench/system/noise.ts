import { cpuSeconds, machineBusySeconds } from "./proc.js";

/**
 * The machine is shared (other people's tests, browsers, databases): CPU used by anything
 * but the harness's own processes during a measurement makes its figures unreliable, so it
 * is measured and reported with them rather than assumed away.
 */

export interface CpuSample {
  atMs: number;
  machine: number;
  own: number;
}

/** Above this share of one CPU used by others, a result carries a warning. */
const NOISY_SHARE = 0.2;

function ownSeconds(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      total += cpuSeconds(pid);
    } catch {
      // The process has exited; what it used no longer shows anywhere.
    }
  }
  return total;
}

/** `pids`: the harness's own processes (server under test, load processes, coordinator). */
export function sampleCpu(pids: readonly number[]): CpuSample {
  return { atMs: performance.now(), machine: machineBusySeconds(), own: ownSeconds(pids) };
}

/** Share of one CPU that processes other than `pids` used between the samples. */
export function otherCpuShare(before: CpuSample, after: CpuSample): number {
  const wall = (after.atMs - before.atMs) / 1000;
  if (wall <= 0) return 0;
  return Math.max(0, after.machine - before.machine - (after.own - before.own)) / wall;
}

export function noiseNote(share: number): string | undefined {
  if (share <= NOISY_SHARE) return undefined;
  return `other processes used ${Math.round(share * 100)}% of a CPU during the measurement: figures are noisy`;
}

/** Below this share of one CPU used by others, the machine counts as quiet enough to measure. */
const QUIET_SHARE = 0.1;
const QUIET_SAMPLE_MS = 1000;

export function isNoisy(share: number | undefined): boolean {
  return share !== undefined && share > NOISY_SHARE;
}

/**
 * Waits, before a measurement, until other processes leave the CPUs alone. The waiting (and
 * any re-measuring) is paid from one budget for the whole run, so a machine that never quiets
 * down costs a bounded delay and then gets measured anyway (the results carry a noise note).
 */
export class QuietGate {
  private remainingMs: number;

  constructor(
    budgetMs: number,
    private readonly log: (line: string) => void,
  ) {
    this.remainingMs = budgetMs;
  }

  get hasBudget(): boolean {
    return this.remainingMs > 0;
  }

  /** Re-measuring a noisy result is paid from the same budget, so the whole run stays bounded. */
  charge(ms: number): void {
    this.remainingMs -= ms;
  }

  async wait(ownPids: () => number[]): Promise<void> {
    let waited = 0;
    while (this.remainingMs > 0) {
      const before = sampleCpu(ownPids());
      await new Promise((resolve) => setTimeout(resolve, QUIET_SAMPLE_MS));
      const share = otherCpuShare(before, sampleCpu(ownPids()));
      if (share <= QUIET_SHARE) break;
      if (waited === 0)
        this.log(`    waiting for other processes to quiet down (${Math.round(share * 100)}% of a CPU)…`);
      waited += QUIET_SAMPLE_MS;
      this.remainingMs -= QUIET_SAMPLE_MS;
    }
    if (waited > 0) {
      this.log(
        `    waited ${waited / 1000} s${this.remainingMs <= 0 ? "; quiet-wait budget spent, measuring anyway" : ""}`,
      );
    }
  }
}
