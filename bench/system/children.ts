import type { ChildProcess } from "node:child_process";

const live = new Set<ChildProcess>();

/** Remembers a child this harness started, so it can be ended if the harness itself is stopped. */
export function track<T extends ChildProcess>(child: T): T {
  live.add(child);
  child.once("exit", () => live.delete(child));
  return child;
}

/** Last resort: kill, by handle, every server and load process this harness started and not yet reaped. */
export function killTracked(): void {
  for (const child of live) child.kill("SIGKILL");
}

let installed = false;

/** For the CLI: Ctrl-C or a crash must not leave servers or load processes running. */
export function installCleanupHandlers(): void {
  if (installed) return;
  installed = true;
  process.once("exit", killTracked);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      killTracked();
      process.exit(130);
    });
  }
}
