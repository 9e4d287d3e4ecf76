import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../paths.js";
import { track } from "../system/children.js";
import { sleep } from "../system/clock.js";
import { type Pinning, pinnedCommand, SERVER_CPU } from "../system/pinning.js";

const PROBE = join(REPO_ROOT, "bench/servers/memory-probe.ts");
const OUTPUT_KEEP_CHARS = 20_000;

export interface MemorySnapshot {
  /** Whether a full GC ran before the figures were taken. */
  collected: boolean;
  rss: number;
  heapUsed: number;
  external: number;
}

export interface ServerProcess {
  readonly pid: number;
  readonly baseUrl: string;
  /** The tail of the server's stdout and stderr, for error messages. */
  output(): string;
  /** GC in the server, then its RSS and heap. */
  memory(): Promise<MemorySnapshot>;
  /** The same in one of the server's node:cluster workers (a child process, by pid). */
  workerMemory(pid: number): Promise<MemorySnapshot>;
  stop(): Promise<void>;
}

export interface LaunchOptions {
  name: string;
  /** TypeScript entry, relative to the repository root. */
  script: string;
  port: number;
  env: Record<string, string>;
  pinning: Pinning;
  readyTimeoutMs?: number;
}

/**
 * Starts a server as its own node process (not through the tsx CLI, which would put a
 * second process between us and the server and make /proc figures belong to the wrong pid).
 */
export async function launchServer(options: LaunchOptions): Promise<ServerProcess> {
  const baseUrl = `http://127.0.0.1:${options.port}`;
  const memoryFile = join(tmpdir(), `parley-bench-mem-${process.pid}-${options.port}.json`);
  // BENCH_SERVER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", lets a run profile the servers.
  const extra = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const nodeArgs = [
    ...extra,
    "--expose-gc",
    "--conditions=parley-source",
    "--import",
    "tsx",
    "--import",
    PROBE,
    options.script,
  ];
  const { command, args } = pinnedCommand(options.pinning, SERVER_CPU, process.execPath, nodeArgs);
  const child = track(
    spawn(command, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env, BENCH_MEMORY_FILE: memoryFile },
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEEP_CHARS);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  // BENCH_SERVER_OUTPUT=<dir> keeps each server's whole output, e.g. for --trace-gc.
  const outputDir = process.env.BENCH_SERVER_OUTPUT;
  if (outputDir) {
    mkdirSync(outputDir, { recursive: true });
    const file = createWriteStream(join(outputDir, `${options.name}-${options.port}.log`));
    child.stdout?.pipe(file, { end: false });
    child.stderr?.pipe(file, { end: false });
    child.once("close", () => file.end());
  }
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const server: ServerProcess = {
    get pid() {
      if (child.pid === undefined) throw new Error(`${options.name} has no pid`);
      return child.pid;
    },
    baseUrl,
    output: () => output,
    memory: () => readMemory((signal) => child.kill(signal), memoryFile),
    workerMemory: (pid) => readMemory((signal) => process.kill(pid, signal), memoryFileOf(memoryFile, pid)),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const stopped = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
        if (!stopped) {
          child.kill("SIGKILL");
          await exited;
        }
      }
      rmSync(memoryFile, { force: true });
    },
  };
  try {
    await waitForHealth(baseUrl, child, options.readyTimeoutMs ?? 60_000);
  } catch (error) {
    await server.stop();
    throw new Error(`${options.name} did not start: ${(error as Error).message}\n${output}`);
  }
  return server;
}

async function waitForHealth(baseUrl: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`exited with ${child.exitCode ?? child.signalCode}`);
    }
    try {
      const response = await fetch(`${baseUrl}/healthz`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new Error(`no healthy /healthz within ${timeoutMs} ms`);
}

/** Where a cluster worker's memory probe writes (memory-probe.ts). */
function memoryFileOf(base: string, pid: number): string {
  return `${base}.${pid}`;
}

async function readMemory(signal: (name: NodeJS.Signals) => void, file: string): Promise<MemorySnapshot> {
  rmSync(file, { force: true });
  signal("SIGUSR2");
  const deadline = Date.now() + 10_000;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error("the server did not answer the memory probe");
    await sleep(20);
  }
  const snapshot = JSON.parse(readFileSync(file, "utf8")) as MemorySnapshot;
  rmSync(file, { force: true });
  return snapshot;
}
