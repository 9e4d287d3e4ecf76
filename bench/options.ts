import { TARGET_NAMES, type TargetName } from "./servers/target.js";

export const SCENARIO_NAMES = [
  "fanout",
  "rooms",
  "idle",
  "durable",
  "history",
  "crossnode",
  "reconnect-storm",
  "typing",
  "search",
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** Every size a scenario uses; `--quick` swaps in tiny ones. */
export interface Sizes {
  fanout: {
    members: number;
    senders: number;
    /** First step's send rate (messages/s over all senders); each later step doubles it. */
    startRate: number;
    stepMs: number;
    drainMs: number;
    maxSteps: number;
    /** A step passes when its p99 is at most this and nothing is lost. */
    p99LimitMs: number;
    /** Before the ramp: one longer step at this fixed rate (50 msg/s × 1,000 members = 50,000 deliveries/s). */
    fixedRate: number;
    fixedMs: number;
  };
  rooms: { rooms: number; membersPerRoom: number; ratePerRoom: number; durationMs: number; drainMs: number };
  idle: {
    connections: number;
    sessions: number;
    settleMs: number;
    /** Parley only: WORKERS=N (node:cluster over Redis) when above 1; each worker has its own file limit. */
    workers: number;
  };
  durable: { rooms: number; sendersPerRoom: number; window: number; durationMs: number; drainMs: number };
  history: {
    messages: number;
    pageSize: number;
    durationMs: number;
    /** Timed runs of the bare keyset query (better-sqlite3, in-process), after a short warm-up. */
    queryIterations: number;
  };
  crossnode: {
    /** Members of the one room on each of the two nodes. */
    membersPerNode: number;
    /** The first members of node A send; nobody on node B does. */
    senders: number;
    /** Messages per second over all senders. */
    ratePerSecond: number;
    durationMs: number;
    drainMs: number;
  };
  storm: {
    /** Signed-in clients (distinct people), capped by the server's open-file limit. */
    clients: number;
    /** Each client is in 1–3 rooms of at most this many members. */
    membersPerRoom: number;
    /** Handshakes in flight per load process in the first connect (as the other scenarios). */
    warmConcurrency: number;
    /** …and in the storm: high, so clients arrive at once rather than through the harness's queue. */
    stormConcurrency: number;
  };
  /** notify slice: people typing in one big room, each a notice per TYPING_INTERVAL_MS. */
  typing: { members: number; typists: number; durationMs: number; drainMs: number };
  search: {
    /** Messages in the seeded corpus (half English, half Japanese, 10 rooms). */
    messages: number;
    /** Times each query of the set is timed. */
    rounds: number;
    /** The durable closed loop run with the index off and on (ABBA), to price indexing. */
    indexing: { rooms: number; sendersPerRoom: number; window: number; durationMs: number; drainMs: number };
  };
}

export const DEFAULT_SIZES: Sizes = {
  fanout: {
    members: 1000,
    senders: 10,
    startRate: 10,
    stepMs: 4000,
    drainMs: 3000,
    maxSteps: 9,
    p99LimitMs: 50,
    fixedRate: 50,
    // Long enough that one stall of the VM (50–80 ms, a few times a minute here) cannot set the p99 alone.
    fixedMs: 20_000,
  },
  rooms: { rooms: 200, membersPerRoom: 10, ratePerRoom: 2, durationMs: 10_000, drainMs: 3000 },
  idle: { connections: 19_000, sessions: 200, settleMs: 3000, workers: 1 },
  durable: { rooms: 10, sendersPerRoom: 2, window: 8, durationMs: 10_000, drainMs: 3000 },
  history: { messages: 1_000_000, pageSize: 50, durationMs: 5000, queryIterations: 20_000 },
  crossnode: { membersPerNode: 200, senders: 4, ratePerSecond: 40, durationMs: 10_000, drainMs: 3000 },
  storm: { clients: 20_000, membersPerRoom: 200, warmConcurrency: 64, stormConcurrency: 2000 },
  typing: { members: 1000, typists: 20, durationMs: 10_000, drainMs: 2000 },
  search: {
    messages: 1_000_000,
    rounds: 40,
    indexing: { rooms: 10, sendersPerRoom: 2, window: 8, durationMs: 8000, drainMs: 3000 },
  },
};

export const QUICK_SIZES: Sizes = {
  fanout: {
    members: 20,
    senders: 2,
    startRate: 20,
    stepMs: 300,
    drainMs: 500,
    maxSteps: 2,
    p99LimitMs: 50,
    fixedRate: 20,
    fixedMs: 300,
  },
  rooms: { rooms: 4, membersPerRoom: 3, ratePerRoom: 10, durationMs: 1000, drainMs: 1000 },
  idle: { connections: 200, sessions: 10, settleMs: 300, workers: 1 },
  durable: { rooms: 2, sendersPerRoom: 2, window: 4, durationMs: 1000, drainMs: 1000 },
  history: { messages: 5000, pageSize: 50, durationMs: 1000, queryIterations: 1000 },
  crossnode: { membersPerNode: 10, senders: 2, ratePerSecond: 20, durationMs: 1000, drainMs: 1000 },
  storm: { clients: 150, membersPerRoom: 40, warmConcurrency: 16, stormConcurrency: 150 },
  typing: { members: 20, typists: 3, durationMs: 3500, drainMs: 1000 },
  search: {
    messages: 20_000,
    rounds: 5,
    indexing: { rooms: 2, sendersPerRoom: 2, window: 4, durationMs: 1000, drainMs: 1000 },
  },
};

export interface BenchOptions {
  quick: boolean;
  scenarios: ScenarioName[];
  targets: TargetName[];
  sizes: Sizes;
  /** Load processes to start (more are added when the idle target needs them). */
  loadProcesses: number;
  mysqlUrl: string | undefined;
  postgresUrl: string | undefined;
  /** BENCH_REDIS_URL; unset: crossnode tries redis://127.0.0.1:6379 and skips if nothing answers. */
  redisUrl: string | undefined;
  /** Total time the run may spend waiting for other processes to leave the CPUs alone (0: never wait). */
  quietWaitMs: number;
  /** Write results JSON under bench/results. */
  save: boolean;
  log(line: string): void;
}

/** A shared machine may be busy for minutes; the default run still has to end within ~10. */
const DEFAULT_QUIET_WAIT_S = 120;

export class UsageError extends Error {}

export const USAGE = `usage: npm run bench -- [--quick] [--scenario=${SCENARIO_NAMES.join("|")}[,…]]
       [--target=${TARGET_NAMES.join("|")}[,…]] [--idle-target=N] [--idle-workers=N] [--history-size=N] [--storm-clients=N] [--search-size=N]
       [--quiet-wait=SECONDS] [--no-save]
env:   BENCH_MYSQL_URL, BENCH_POSTGRES_URL (durable on MariaDB/PostgreSQL; crossnode needs one of them),
       BENCH_REDIS_URL (crossnode and --idle-workers; default redis://127.0.0.1:6379 when it answers)`;

function listFlag<T extends string>(value: string, allowed: readonly T[], flag: string): T[] {
  const items = value.split(",").map((item) => item.trim());
  for (const item of items) {
    if (!allowed.includes(item as T))
      throw new UsageError(`unknown ${flag} "${item}" (one of ${allowed.join(", ")})`);
  }
  return items as T[];
}

function positiveInt(value: string, flag: string): number {
  const parsed = Number(value.replace(/_/g, ""));
  if (!Number.isInteger(parsed) || parsed <= 0) throw new UsageError(`${flag} must be a positive integer`);
  return parsed;
}

export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match?.[1]) throw new UsageError(`unexpected argument "${arg}"`);
    flags.set(match[1], match[2] ?? "");
  }
  const known = new Set([
    "quick",
    "scenario",
    "target",
    "idle-target",
    "storm-clients",
    "idle-workers",
    "history-size",
    "search-size",
    "quiet-wait",
    "no-save",
    "help",
  ]);
  for (const flag of flags.keys()) if (!known.has(flag)) throw new UsageError(`unknown flag --${flag}`);
  if (flags.has("help")) throw new UsageError("");

  const quick = flags.has("quick");
  const base = quick ? QUICK_SIZES : DEFAULT_SIZES;
  const sizes: Sizes = structuredClone(base);
  const stormClients = flags.get("storm-clients");
  if (stormClients !== undefined) sizes.storm.clients = positiveInt(stormClients, "--storm-clients");
  const idleTarget = flags.get("idle-target");
  if (idleTarget !== undefined) sizes.idle.connections = positiveInt(idleTarget, "--idle-target");
  const idleWorkers = flags.get("idle-workers");
  if (idleWorkers !== undefined) sizes.idle.workers = positiveInt(idleWorkers, "--idle-workers");
  const historySize = flags.get("history-size");
  if (historySize !== undefined) sizes.history.messages = positiveInt(historySize, "--history-size");
  const searchSize = flags.get("search-size");
  if (searchSize !== undefined) sizes.search.messages = positiveInt(searchSize, "--search-size");
  const quietWait = flags.get("quiet-wait");
  const quietWaitSeconds = quietWait === undefined ? (quick ? 0 : DEFAULT_QUIET_WAIT_S) : Number(quietWait);
  if (!Number.isFinite(quietWaitSeconds) || quietWaitSeconds < 0)
    throw new UsageError("--quiet-wait must be ≥ 0");
  const scenario = flags.get("scenario");
  const target = flags.get("target");

  return {
    quick,
    scenarios: scenario ? listFlag(scenario, SCENARIO_NAMES, "scenario") : [...SCENARIO_NAMES],
    targets: target ? listFlag(target, TARGET_NAMES, "target") : [...TARGET_NAMES],
    sizes,
    loadProcesses: quick ? 2 : 4,
    mysqlUrl: env.BENCH_MYSQL_URL || undefined,
    postgresUrl: env.BENCH_POSTGRES_URL || undefined,
    redisUrl: env.BENCH_REDIS_URL || undefined,
    quietWaitMs: quietWaitSeconds * 1000,
    save: !flags.has("no-save"),
    log: (line) => console.log(line),
  };
}
