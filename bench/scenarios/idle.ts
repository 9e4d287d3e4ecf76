import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { withFleet } from "../load/fleet.js";
import type { ConnectResult } from "../load/protocol.js";
import type { MemorySnapshot } from "../servers/server-process.js";
import type { RunningTarget, TargetName } from "../servers/target.js";
import { withTarget } from "../servers/targets.js";
import { sleep } from "../system/clock.js";
import { noiseNote, otherCpuShare, sampleCpu } from "../system/noise.js";
import { childPids, cpuSeconds, openFileLimit, rssBytes } from "../system/proc.js";
import { DEFAULT_REDIS_URL, deleteKeys, redisProblem, uniqueKeyPrefix } from "../system/redis.js";
import type { ScenarioContext } from "./context.js";
import { toSpec } from "./members.js";
import type { Metric, ScenarioResult } from "./result.js";

/** A load process stays well under the 20,000 open-files limit and its address's ~28,000 ports. */
const MAX_CONNECTIONS_PER_LOAD_PROCESS = 10_000;
/** Descriptors the server needs besides client sockets: database, WAL, listening socket, stdio, tsx. */
const SERVER_FD_RESERVE = 300;
const SETTLE_BEFORE_MS = 1000;
const CONNECT_TIMEOUT_MS = 120_000;

/**
 * As many signed-in, idle connections as the server can hold: no rooms joined, just the
 * greeting. Memory per connection is the server's RSS growth over the connection count,
 * both readings taken after a full GC (the memory probe) and a settle pause.
 */
export async function runIdle(context: ScenarioContext, targetName: TargetName): Promise<ScenarioResult> {
  const size = context.options.sizes.idle;
  if (targetName === "parley" && size.workers > 1) return runIdleWorkers(context, size.workers);
  return withTarget(targetName, { pinning: context.pinning }, async (target) => {
    const limit = openFileLimit(target.server.pid) - SERVER_FD_RESERVE;
    const wanted = Math.min(size.connections, limit);
    const capNote =
      wanted < size.connections
        ? `capped at ${wanted}: the server's open-file limit is ${limit + SERVER_FD_RESERVE}`
        : "";
    // Sessions are shared between sockets: the scenario is about sockets, not about sign-ins.
    const sessions = await target.users("idle", Math.min(size.sessions, wanted));
    const specs = Array.from({ length: wanted }, (_, i) =>
      toSpec(i, sessions[i % sessions.length] ?? { name: "idle" }, []),
    );
    await context.pool.ensure(Math.ceil(wanted / MAX_CONNECTIONS_PER_LOAD_PROCESS));

    await sleep(SETTLE_BEFORE_MS);
    const before = await target.server.memory();
    const rssBefore = rssBytes(target.server.pid);
    const ownPids = [target.server.pid, ...context.pool.pids(), process.pid];
    const cpuBefore = sampleCpu(ownPids);
    const started = performance.now();
    const measured = await withFleet(
      context.pool,
      target,
      specs,
      async (fleet) => {
        const connectSeconds = (performance.now() - started) / 1000;
        await sleep(size.settleMs);
        const after = await target.server.memory();
        const otherShare = otherCpuShare(cpuBefore, sampleCpu(ownPids));
        return {
          connect: fleet.connect,
          connectSeconds,
          after,
          rssAfter: rssBytes(target.server.pid),
          otherShare,
        };
      },
      CONNECT_TIMEOUT_MS,
    );
    const held = measured.connect.connected;
    const perConnection = (bytes: number) => (held > 0 ? bytes / held / 1024 : null);
    const notes = [
      capNote,
      measured.connect.failed > 0 ? `${measured.connect.failed} failed: ${measured.connect.firstError}` : "",
      before.collected ? "" : "no GC before readings",
      noiseNote(measured.otherShare) ?? "",
    ].filter(Boolean);
    return {
      scenario: "idle",
      target: targetName,
      status: "ok",
      otherCpuShare: measured.otherShare,
      ...(notes.length > 0 ? { note: notes.join("; ") } : {}),
      metrics: [
        { label: "connections held", value: held, unit: "", better: "higher" },
        { label: "connect rate", value: held / measured.connectSeconds, unit: "conn/s", better: "higher" },
        {
          label: "RSS per connection",
          value: perConnection(measured.rssAfter - rssBefore),
          unit: "KiB",
          better: "lower",
        },
        {
          label: "heap per connection",
          value: perConnection(measured.after.heapUsed - before.heapUsed),
          unit: "KiB",
          better: "lower",
        },
        {
          label: "server RSS with connections",
          value: measured.rssAfter / 1024 / 1024,
          unit: "MiB",
          better: "lower",
        },
      ],
      details: { wanted: size.connections, attempted: wanted, before, rssBefore, ...measured },
    };
  });
}

/** Until every worker has started (its CPU time stops growing), so none takes more than its share. */
const WORKERS_READY_TIMEOUT_MS = 15_000;
const WORKER_QUIET_CPU_S = 0.05;
/** The whole connect phase of a many-worker run; past it the server is stopped and the run fails. */
const WORKERS_CONNECT_DEADLINE_MS = 250_000;
const PROGRESS_EVERY_MS = 20_000;

async function waitForWorkers(target: RunningTarget, workers: number): Promise<number[]> {
  const deadline = Date.now() + WORKERS_READY_TIMEOUT_MS;
  let previous = new Map<number, number>();
  let seen = "";
  while (Date.now() < deadline) {
    const pids = workerPids(target.server.pid);
    const now = new Map(pids.map((pid) => [pid, cpuSeconds(pid)] as const));
    const quiet =
      pids.length === workers &&
      pids.every((pid) => (now.get(pid) ?? 0) - (previous.get(pid) ?? 0) < WORKER_QUIET_CPU_S);
    if (quiet) return pids;
    seen = pids
      .map((pid) => `${pid}: +${((now.get(pid) ?? 0) - (previous.get(pid) ?? 0)).toFixed(2)} s`)
      .join(", ");
    previous = now;
    await sleep(500);
  }
  throw new Error(
    `${workers} idle workers did not all start within ${WORKERS_READY_TIMEOUT_MS} ms (children, CPU in the last 0.5 s: ${seen || "none"})`,
  );
}

/** The primary's children running its own executable: its workers, not e.g. tsx's esbuild service. */
function workerPids(primary: number): number[] {
  const exe = (pid: number) => {
    try {
      return readlinkSync(`/proc/${pid}/exe`);
    } catch {
      return undefined;
    }
  };
  const own = exe(primary);
  return childPids(primary).filter((pid) => exe(pid) === own);
}

function openFiles(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

interface Measured {
  connect: ConnectResult;
  connectSeconds: number;
  after: WorkerReading[];
  primaryAfter: MemorySnapshot;
  primaryRssAfter: number;
  otherShare: number;
  /** The connect phase overran its deadline: figures are those of the sockets held then. */
  stoppedAtDeadline: boolean;
}

interface WorkerReading {
  pid: number;
  memory: MemorySnapshot;
  rss: number;
  openFiles: number;
}

/** GC in every worker, then each one's RSS and heap (summed by the caller). */
async function readWorkers(target: RunningTarget, pids: readonly number[]): Promise<WorkerReading[]> {
  const readings: WorkerReading[] = [];
  for (const pid of pids) {
    const memory = await target.server.workerMemory(pid);
    readings.push({ pid, memory, rss: rssBytes(pid), openFiles: openFiles(pid) });
  }
  return readings;
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

/**
 * Idle over Parley's WORKERS=N (node:cluster): the primary accepts on one port and hands each
 * connection to a worker, so N workers hold N open-file limits' worth of sockets. Workers need
 * Redis (a unique REDIS_KEY_PREFIX, its keys deleted afterwards). Memory is summed over the
 * workers, each read after its own full GC; the primary's RSS is reported apart.
 */
async function runIdleWorkers(context: ScenarioContext, workers: number): Promise<ScenarioResult> {
  const size = context.options.sizes.idle;
  const redisUrl = context.options.redisUrl ?? DEFAULT_REDIS_URL;
  const problem = await redisProblem(redisUrl);
  if (problem) throw new Error(`--idle-workers needs Redis; ${redisUrl} does not answer: ${problem}`);
  const prefix = uniqueKeyPrefix();
  const env = {
    WORKERS: String(workers),
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: prefix,
    AUTH_SECRET: randomBytes(32).toString("base64url"),
  };
  let pids: number[] = [];
  try {
    // The primary and its workers inherit the server's pinning (CPU 0), as one server would have.
    return await withTarget("parley", { pinning: context.pinning, env }, async (target) => {
      pids = await waitForWorkers(target, workers);
      const perWorker = Math.min(...pids.map(openFileLimit)) - SERVER_FD_RESERVE;
      const limit = perWorker * workers;
      const wanted = Math.min(size.connections, limit);
      const capNote =
        wanted < size.connections
          ? `capped at ${wanted}: ${workers} workers × (open-file limit ${perWorker + SERVER_FD_RESERVE} − ${SERVER_FD_RESERVE})`
          : "";
      const sessions = await target.users("idle", Math.min(size.sessions, wanted));
      const specs = Array.from({ length: wanted }, (_, i) =>
        toSpec(i, sessions[i % sessions.length] ?? { name: "idle" }, []),
      );
      await context.pool.ensure(Math.ceil(wanted / MAX_CONNECTIONS_PER_LOAD_PROCESS));

      await sleep(SETTLE_BEFORE_MS);
      const primaryBefore = await target.server.memory();
      const primaryRssBefore = rssBytes(target.server.pid);
      const before = await readWorkers(target, pids);
      const ownPids = [target.server.pid, ...pids, ...context.pool.pids(), process.pid];
      const cpuBefore = sampleCpu(ownPids);
      const started = performance.now();
      // A slow connect phase must not hold the run: at the deadline, what the workers hold then is
      // measured (after GC) and the server is stopped, which fails every pending handshake at once.
      const socketsHeld = () => sum(pids.map((pid, i) => openFiles(pid) - (before[i]?.openFiles ?? 0)));
      const progress = setInterval(() => {
        const seconds = (performance.now() - started) / 1000;
        context.log(`    ${socketsHeld()} sockets held by the workers after ${seconds.toFixed(0)} s`);
      }, PROGRESS_EVERY_MS);
      let atDeadline: Promise<Measured> | undefined;
      const watchdog = setTimeout(() => {
        clearInterval(progress);
        atDeadline = (async () => {
          const connected = socketsHeld();
          const connectSeconds = (performance.now() - started) / 1000;
          const after = await readWorkers(target, pids);
          const primaryAfter = await target.server.memory();
          const measured: Measured = {
            connect: { connected, failed: 0 },
            connectSeconds,
            after,
            primaryAfter,
            primaryRssAfter: rssBytes(target.server.pid),
            otherShare: otherCpuShare(cpuBefore, sampleCpu(ownPids)),
            stoppedAtDeadline: true,
          };
          await target.stop();
          return measured;
        })();
        atDeadline.catch(() => undefined);
      }, WORKERS_CONNECT_DEADLINE_MS);
      const measured = await withFleet(
        context.pool,
        target,
        specs,
        async (fleet): Promise<Measured> => {
          clearTimeout(watchdog);
          clearInterval(progress);
          if (atDeadline) return atDeadline;
          const connectSeconds = (performance.now() - started) / 1000;
          await sleep(size.settleMs);
          const after = await readWorkers(target, pids);
          const primaryAfter = await target.server.memory();
          const otherShare = otherCpuShare(cpuBefore, sampleCpu(ownPids));
          return {
            connect: fleet.connect,
            connectSeconds,
            after,
            primaryAfter,
            primaryRssAfter: rssBytes(target.server.pid),
            otherShare,
            stoppedAtDeadline: false,
          };
        },
        CONNECT_TIMEOUT_MS,
      ).finally(() => {
        clearTimeout(watchdog);
        clearInterval(progress);
      });
      const held = measured.connect.connected;
      const perConnection = (bytes: number) => (held > 0 ? bytes / held / 1024 : null);
      const rssBefore = sum(before.map((w) => w.rss));
      const rssAfter = sum(measured.after.map((w) => w.rss));
      const heapBefore = sum(before.map((w) => w.memory.heapUsed));
      const heapAfter = sum(measured.after.map((w) => w.memory.heapUsed));
      // Open descriptors gained by each worker: its share of the sockets.
      const socketsByWorker = measured.after.map(
        (w, i) => w.openFiles - (before[i]?.openFiles ?? w.openFiles),
      );
      const collected = [...before, ...measured.after].every((w) => w.memory.collected);
      const notes = [
        capNote,
        measured.stoppedAtDeadline
          ? `stopped at the ${WORKERS_CONNECT_DEADLINE_MS / 1000} s deadline with ${measured.connect.connected} of ${wanted} sockets held (open descriptors; handshakes still in flight then are counted, memory read with them)`
          : "",
        !measured.stoppedAtDeadline && measured.connect.failed > 0
          ? `${measured.connect.failed} failed: ${measured.connect.firstError}`
          : "",
        collected ? "" : "no GC before some worker readings",
        `WORKERS=${workers}; sockets per worker ${socketsByWorker.join(", ")}`,
        noiseNote(measured.otherShare) ?? "",
      ].filter(Boolean);
      const metrics: Metric[] = [
        { label: "connections held", value: held, unit: "", better: "higher" },
        { label: "connect rate", value: held / measured.connectSeconds, unit: "conn/s", better: "higher" },
        {
          label: "RSS per connection",
          value: perConnection(rssAfter - rssBefore),
          unit: "KiB",
          better: "lower",
        },
        {
          label: "heap per connection",
          value: perConnection(heapAfter - heapBefore),
          unit: "KiB",
          better: "lower",
        },
        { label: "server RSS with connections", value: rssAfter / 1024 / 1024, unit: "MiB", better: "lower" },
        {
          label: "primary RSS with connections",
          value: measured.primaryRssAfter / 1024 / 1024,
          unit: "MiB",
          better: "lower",
        },
      ];
      return {
        scenario: "idle",
        target: "parley",
        status: "ok",
        otherCpuShare: measured.otherShare,
        note: notes.join("; "),
        metrics,
        details: {
          workers,
          wanted: size.connections,
          attempted: wanted,
          workerPids: pids,
          socketsByWorker,
          before,
          primaryBefore,
          primaryRssBefore,
          ...measured,
        },
      };
    });
  } finally {
    // The primary was stopped (its workers with it); a worker it left behind is ended by its pid.
    // Only a process whose environment carries this run's unique key prefix: never a reused pid.
    for (const pid of pids) {
      try {
        if (readFileSync(`/proc/${pid}/environ`, "utf8").includes(`REDIS_KEY_PREFIX=${prefix}\0`))
          process.kill(pid, "SIGKILL");
      } catch {
        // Already gone, as it should be.
      }
    }
    await deleteKeys(redisUrl, prefix).catch(() => 0);
  }
}
