import { randomBytes } from "node:crypto";
import { type NodeOutcome, type StepOutcome, withFleet } from "../load/fleet.js";
import type { ConnSpec } from "../load/protocol.js";
import type { RunningTarget, TargetName } from "../servers/target.js";
import { withTarget } from "../servers/targets.js";
import { sleep } from "../system/clock.js";
import { createMysqlDatabase, createPostgresDatabase, type ScratchDatabase } from "../system/databases.js";
import { DEFAULT_REDIS_URL, deleteKeys, redisProblem, uniqueKeyPrefix } from "../system/redis.js";
import type { ScenarioContext } from "./context.js";
import { requireAllConnected, toSpec } from "./members.js";
import { type Metric, notApplicable, type ScenarioResult } from "./result.js";

/** Lets the join storm (presence frames to every member, across both nodes) finish first. */
const SETTLE_MS = 1000;
/** Untimed warm-up step before the measured one, so JIT compilation does not count. */
const WARM_UP_MS = 1000;

interface SharedDatabase {
  name: "PostgreSQL" | "MariaDB";
  create(): Promise<ScratchDatabase>;
}

/** Two nodes need one database they can both use: PostgreSQL if given, else MariaDB; SQLite cannot be shared. */
export function sharedDatabase(context: ScenarioContext): SharedDatabase | undefined {
  const { postgresUrl, mysqlUrl } = context.options;
  if (postgresUrl) return { name: "PostgreSQL", create: () => createPostgresDatabase(postgresUrl) };
  if (mysqlUrl) return { name: "MariaDB", create: () => createMysqlDatabase(mysqlUrl) };
  return undefined;
}

function skipped(note: string): ScenarioResult {
  return { scenario: "crossnode", target: "parley", status: "skipped", note, metrics: [] };
}

const NODE_NAMES = ["A", "B"] as const;

/**
 * Fan-out across two Parley nodes that share a database, Redis (pub/sub bus, presence,
 * sessions) and AUTH_SECRET. One room has members on both nodes; a few members on node A
 * send at a fixed rate (open loop, as in `fanout`), and latency is kept apart for the
 * recipients on node A and on node B. Every member signs in through node A, so node B's
 * members also show that a session made on one node is accepted by the other. The same room,
 * load and database kind on one node without Redis comes first, as the reference for what
 * crossing Redis adds. Runs whenever a PostgreSQL or MariaDB URL is set and Redis answers; skipped otherwise.
 */
export async function runCrossnode(
  context: ScenarioContext,
  targetName: TargetName,
): Promise<ScenarioResult> {
  if (targetName !== "parley") return notApplicable("crossnode", targetName, "single-node baseline");
  const size = context.options.sizes.crossnode;
  const database = sharedDatabase(context);
  if (!database) {
    return skipped("needs a database both nodes share: set BENCH_POSTGRES_URL or BENCH_MYSQL_URL");
  }
  const redisUrl = context.options.redisUrl ?? DEFAULT_REDIS_URL;
  const problem = await redisProblem(redisUrl);
  if (problem) {
    // Asked for explicitly and not there: that is a failure, not a reason to skip.
    if (context.options.redisUrl)
      throw new Error(`BENCH_REDIS_URL (${redisUrl}) does not answer: ${problem}`);
    return skipped(`no Redis answered at ${redisUrl} (${problem}); set BENCH_REDIS_URL`);
  }

  // The same room on one node without Redis (in-process bus): what crossing Redis adds is node B's
  // latency minus this, since node A's own recipients get their events back through Redis too.
  const single = await withScratch(database, (url) =>
    withTarget("parley", { pinning: context.pinning, databaseUrl: url }, (node) =>
      measureRoom(context, [node], () => 0),
    ),
  );
  const prefix = uniqueKeyPrefix();
  try {
    const outcome = await withScratch(database, (url) => {
      const shared = {
        pinning: context.pinning,
        databaseUrl: url,
        env: {
          REDIS_URL: redisUrl,
          REDIS_KEY_PREFIX: prefix,
          AUTH_SECRET: randomBytes(32).toString("base64url"),
        },
      };
      // One after the other: the first node runs the migrations. Both are pinned to the server CPU.
      // The first half of the members on node A (the senders among them), the rest on node B.
      return withTarget("parley", shared, (nodeA) =>
        withTarget("parley", shared, (nodeB) =>
          measureRoom(context, [nodeA, nodeB], (id) => (id < size.membersPerNode ? 0 : 1)),
        ),
      );
    });
    return crossnodeResult(outcome, single, database.name, size);
  } finally {
    await deleteKeys(redisUrl, prefix);
  }
}

async function withScratch<T>(database: SharedDatabase, use: (url: string) => Promise<T>): Promise<T> {
  const scratch = await database.create();
  try {
    return await use(scratch.url);
  } finally {
    await scratch.drop();
  }
}

/**
 * One room of 2 × membersPerNode members spread over `nodes` by `nodeOf`, every member signed in
 * through the first node; the first few members send at a fixed rate after an untimed warm-up.
 */
async function measureRoom(
  context: ScenarioContext,
  nodes: RunningTarget[],
  nodeOf: (member: number) => number,
): Promise<StepOutcome> {
  const size = context.options.sizes.crossnode;
  const [first] = nodes;
  if (!first) throw new Error("no node");
  const [roomId] = await first.createRooms("crossnode", 1);
  if (roomId === undefined) throw new Error("no room");
  const total = size.membersPerNode * 2;
  const users = await first.users("cross", total);
  const specs: ConnSpec[] = users.map((user, id) => ({ ...toSpec(id, user, [roomId]), node: nodeOf(id) }));
  const senders = specs.slice(0, size.senders).map((spec) => ({ conn: spec.id, roomId }));
  return withFleet(context.pool, nodes, specs, async (fleet) => {
    requireAllConnected(fleet, total);
    await sleep(SETTLE_MS);
    return fleet.openLoopAfterWarmUp(
      { ratePerSecond: size.ratePerSecond, durationMs: size.durationMs, drainMs: size.drainMs, senders },
      WARM_UP_MS,
    );
  });
}

function crossnodeResult(
  outcome: StepOutcome,
  single: StepOutcome,
  databaseName: string,
  size: ScenarioContext["options"]["sizes"]["crossnode"],
): ScenarioResult {
  const [a, b] = outcome.byNode ?? [];
  if (!a || !b) throw new Error("no per-node figures");
  const lat = (node: NodeOutcome, name: string): Metric[] => [
    { label: `node ${name} recipients p50`, value: node.latency.p50Ms, unit: "ms", better: "lower" },
    { label: `node ${name} recipients p99`, value: node.latency.p99Ms, unit: "ms", better: "lower" },
    { label: `node ${name} recipients max`, value: node.latency.maxMs, unit: "ms", better: "lower" },
  ];
  const difference = (from: NodeOutcome | StepOutcome, to: NodeOutcome, key: "p50Ms" | "p99Ms") =>
    from.latency.count > 0 && to.latency.count > 0
      ? Math.round((to.latency[key] - from.latency[key]) * 1000) / 1000
      : null;
  const problems = [
    outcome.lost > 0 ? `${outcome.lost} deliveries lost (node A ${a.lost}, node B ${b.lost})` : undefined,
    single.lost > 0 ? `${single.lost} deliveries lost on the single node` : undefined,
    outcome.closed > 0 ? `${outcome.closed} connections closed` : undefined,
    outcome.errors > 0 ? `${outcome.errors} error frames` : undefined,
  ].filter(Boolean);
  return {
    scenario: "crossnode",
    target: "parley",
    status: "ok",
    // PostgreSQL/MariaDB and Redis are busy as part of the measurement and count as "other"
    // CPU: the share is kept in the details, but it says nothing about outside noise here.
    note: [`database ${databaseName}`, ...problems].join("; "),
    metrics: [
      { label: "deliveries/s", value: outcome.deliveriesPerSecond, unit: "", better: "higher" },
      { label: "sends/s", value: outcome.sent / (size.durationMs / 1000), unit: "", better: "higher" },
      ...lat(a, NODE_NAMES[0]),
      ...lat(b, NODE_NAMES[1]),
      { label: "added on node B (B − A) p50", value: difference(a, b, "p50Ms"), unit: "ms", better: "lower" },
      { label: "added on node B (B − A) p99", value: difference(a, b, "p99Ms"), unit: "ms", better: "lower" },
      { label: "one node without Redis p50", value: single.latency.p50Ms, unit: "ms", better: "lower" },
      { label: "one node without Redis p99", value: single.latency.p99Ms, unit: "ms", better: "lower" },
      {
        label: "added by crossing Redis (B − one node) p50",
        value: difference(single, b, "p50Ms"),
        unit: "ms",
        better: "lower",
      },
      {
        label: "added by crossing Redis (B − one node) p99",
        value: difference(single, b, "p99Ms"),
        unit: "ms",
        better: "lower",
      },
      { label: "lost deliveries", value: outcome.lost + single.lost, unit: "", better: "lower" },
      {
        label: "server CPU per 100k deliveries (both nodes)",
        value: outcome.received > 0 ? (outcome.serverCpuSeconds / outcome.received) * 100_000 : null,
        unit: "s",
        better: "lower",
      },
    ],
    details: { ...size, database: databaseName, outcome, single },
  };
}
