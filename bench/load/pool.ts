import { type ChildProcess, fork } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "../paths.js";
import { track } from "../system/children.js";
import { LOAD_CPU, type Pinning, pinProcess } from "../system/pinning.js";
import { READY, type WorkerCommand, type WorkerReply } from "./protocol.js";

const WORKER = join(REPO_ROOT, "bench/load/worker.ts");
const START_TIMEOUT_MS = 30_000;

/**
 * Each load process connects from its own loopback address (127.0.0.2, .3, …): a source
 * address has about 28,000 ephemeral ports towards one server port, and one process may
 * hold at most 20,000 open files, so many connections need several of both.
 */
export function sourceAddress(index: number): string {
  if (index > 250) throw new Error("more load processes than source addresses in 127.0.0.0/24");
  return `127.0.0.${index + 2}`;
}

class LoadProcess {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  constructor(
    readonly child: ChildProcess,
    readonly localAddress: string,
  ) {
    child.on("message", (message: WorkerReply | typeof READY) => {
      if (message === READY) return;
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(`load process ${localAddress}: ${message.error}`));
    });
    child.once("exit", (code, signal) => {
      const error = new Error(`load process ${localAddress} exited (${code ?? signal})`);
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    });
  }

  call<T>(command: WorkerCommand): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ id, command });
    });
  }
}

async function startLoadProcess(index: number, pinning: Pinning): Promise<LoadProcess> {
  const child = track(
    fork(WORKER, [], {
      cwd: REPO_ROOT,
      // BENCH_LOAD_NODE_ARGS, like BENCH_SERVER_NODE_ARGS, lets a run profile the load processes.
      // A young generation of 64 MB from the start: every delivery leaves garbage here, and with
      // V8's default (starting at 1 MB, growing to 16) a fresh load process scavenged 4–6 times a
      // second for its first minute, each time delaying its recipients (measured with --trace-gc).
      execArgv: [
        "--min-semi-space-size=64",
        "--max-semi-space-size=64",
        ...(process.env.BENCH_LOAD_NODE_ARGS ?? "").split(" ").filter(Boolean),
        "--conditions=parley-source",
        "--import",
        "tsx",
      ],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    }),
  );
  if (child.pid !== undefined) pinProcess(pinning, child.pid, LOAD_CPU);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("load process did not start")), START_TIMEOUT_MS);
    child.once("message", (message) => {
      clearTimeout(timer);
      if (message === READY) resolve();
      else reject(new Error(`unexpected first message from load process: ${JSON.stringify(message)}`));
    });
    child.once("exit", (code) => reject(new Error(`load process exited during start (${code})`)));
  });
  return new LoadProcess(child, sourceAddress(index));
}

/** The load processes of a run. They are reused across scenarios and servers, and grow on demand. */
export class LoadPool {
  private readonly processes: LoadProcess[] = [];

  private constructor(private readonly pinning: Pinning) {}

  static async start(size: number, pinning: Pinning): Promise<LoadPool> {
    const pool = new LoadPool(pinning);
    await pool.ensure(size);
    return pool;
  }

  get size(): number {
    return this.processes.length;
  }

  async ensure(size: number): Promise<void> {
    const starting: Array<Promise<LoadProcess>> = [];
    for (let index = this.processes.length; index < size; index++)
      starting.push(startLoadProcess(index, this.pinning));
    this.processes.push(...(await Promise.all(starting)));
  }

  /** Process ids of the load processes, to read their CPU time. */
  pids(): number[] {
    return this.processes.flatMap((process) => (process.child.pid === undefined ? [] : [process.child.pid]));
  }

  localAddress(index: number): string {
    const process = this.processes[index];
    if (!process) throw new Error(`no load process ${index}`);
    return process.localAddress;
  }

  /** Sends each load process its own command (or none) and waits for every reply. */
  all<T>(commandFor: (index: number) => WorkerCommand | undefined): Promise<T[]> {
    return Promise.all(
      this.processes.flatMap((process, index) => {
        const command = commandFor(index);
        return command ? [process.call<T>(command)] : [];
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all(
      this.processes.map(
        (process) =>
          new Promise<void>((resolve) => {
            if (process.child.exitCode !== null || process.child.signalCode !== null) return resolve();
            process.child.once("exit", () => resolve());
            // Closing the IPC channel makes the load process exit by itself.
            process.child.disconnect();
            setTimeout(() => process.child.kill("SIGKILL"), 5_000).unref();
          }),
      ),
    );
    this.processes.length = 0;
  }
}
