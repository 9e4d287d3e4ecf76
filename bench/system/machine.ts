import { readFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem } from "node:os";
import { openFileLimit } from "./proc.js";

export interface Machine {
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  kernel: string;
  openFileLimit: number;
  /** 1, 5 and 15 minute load averages when the run started: a busy machine makes noisy figures. */
  loadAverage: number[];
}

/** What the figures were measured on; saved with every result file. */
export function describeMachine(): Machine {
  let kernel = release();
  try {
    kernel = readFileSync("/proc/sys/kernel/osrelease", "utf8").trim();
  } catch {
    // Not Linux: os.release() is as good as it gets.
  }
  return {
    // All CPUs of the machine, not just those this (pinned) process may use.
    nproc: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    kernel,
    openFileLimit: openFileLimit(process.pid),
    loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
  };
}
