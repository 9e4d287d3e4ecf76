import { spawnSync } from "node:child_process";
import { cpus } from "node:os";

/** The server under test gets CPU 0 to itself; load processes and the coordinator share CPU 1. */
export const SERVER_CPU = 0;
export const LOAD_CPU = 1;

export interface Pinning {
  enabled: boolean;
  /** Printed with the results, so unpinned figures are never mistaken for pinned ones. */
  description: string;
}

export function detectPinning(): Pinning {
  if (cpus().length < 2) {
    return { enabled: false, description: "unpinned (fewer than 2 CPUs)" };
  }
  const probe = spawnSync("taskset", ["-p", String(process.pid)], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    return { enabled: false, description: "unpinned (taskset not available)" };
  }
  return {
    enabled: true,
    description: `taskset: server on CPU ${SERVER_CPU}, load processes on CPU ${LOAD_CPU}`,
  };
}

/** Pins a running process and all its threads; later threads inherit the mask. */
export function pinProcess(pinning: Pinning, pid: number, cpu: number): void {
  if (!pinning.enabled) return;
  const result = spawnSync("taskset", ["-a", "-p", "-c", String(cpu), String(pid)], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`taskset failed for pid ${pid}: ${result.stderr}`);
}

/** The command line that starts a process already pinned (taskset execs, so the pid stays the server's). */
export function pinnedCommand(
  pinning: Pinning,
  cpu: number,
  command: string,
  args: string[],
): { command: string; args: string[] } {
  if (!pinning.enabled) return { command, args };
  return { command: "taskset", args: ["-c", String(cpu), command, ...args] };
}
