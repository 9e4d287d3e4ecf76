import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Bench, openBench } from "../bench.js";
import type { StepOutcome } from "../load/fleet.js";
import { parseArgs, type Sizes } from "../options.js";
import type { ScenarioResult } from "../scenarios/result.js";
import { TARGET_NAMES } from "../servers/target.js";
import { killTracked } from "../system/children.js";

/**
 * Smaller than --quick: each scenario sends for under a second, so the whole file stays well under
 * a minute. Drains are long because they end as soon as everything has arrived: they only matter on
 * a machine busy with other tests, where they keep a slow delivery from counting as lost.
 */
const TINY: Sizes = {
  fanout: {
    members: 10,
    senders: 2,
    startRate: 20,
    stepMs: 300,
    drainMs: 5000,
    maxSteps: 1,
    p99LimitMs: 1000,
    fixedRate: 20,
    fixedMs: 300,
  },
  rooms: { rooms: 3, membersPerRoom: 3, ratePerRoom: 10, durationMs: 500, drainMs: 5000 },
  idle: { connections: 40, sessions: 4, settleMs: 100, workers: 1 },
  durable: { rooms: 2, sendersPerRoom: 2, window: 2, durationMs: 500, drainMs: 5000 },
  history: { messages: 2000, pageSize: 50, durationMs: 300, queryIterations: 200 },
  crossnode: { membersPerNode: 3, senders: 1, ratePerSecond: 20, durationMs: 300, drainMs: 5000 },
  storm: { clients: 30, membersPerRoom: 10, warmConcurrency: 8, stormConcurrency: 30 },
  typing: { members: 5, typists: 2, durationMs: 500, drainMs: 500 },
  search: {
    messages: 2000,
    rounds: 1,
    indexing: { rooms: 1, sendersPerRoom: 1, window: 2, durationMs: 300, drainMs: 5000 },
  },
};

/**
 * crossnode needs a database two nodes share and Redis: from the same variables as the rest of
 * the test suite (CI sets them), or the bench's own. Without both it must skip at once.
 */
const CROSSNODE_DATABASE =
  process.env.TEST_POSTGRES_URL || process.env.BENCH_POSTGRES_URL
    ? { postgresUrl: process.env.TEST_POSTGRES_URL || process.env.BENCH_POSTGRES_URL }
    : process.env.TEST_MYSQL_URL || process.env.BENCH_MYSQL_URL
      ? { mysqlUrl: process.env.TEST_MYSQL_URL || process.env.BENCH_MYSQL_URL }
      : undefined;
const CROSSNODE_REDIS = process.env.TEST_REDIS_URL || process.env.BENCH_REDIS_URL || undefined;

function metric(result: ScenarioResult, label: string): number {
  const value = result.metrics.find((m) => m.label === label)?.value;
  if (value === undefined || value === null)
    throw new Error(`no ${label} in ${result.scenario}/${result.target}`);
  return value;
}

/** What every open- or closed-loop step must satisfy, whatever the server. */
function expectConsistentStep(step: StepOutcome, membersPerRoom: number): void {
  expect(step.expected).toBe(step.sent * membersPerRoom);
  expect(step.received + step.lost).toBe(step.expected);
  expect(step.latency.count).toBe(step.received);
  expect(step.closed).toBe(0);
  expect(step.errors).toBe(0);
  // Nothing is lost at these rates, so every send reached every member of its room.
  expect(step.lost).toBe(0);
  expect(step.received).toBe(step.sent * membersPerRoom);
  expect(step.latency.p50Ms).toBeLessThanOrEqual(step.latency.p99Ms);
  expect(step.latency.p99Ms).toBeLessThanOrEqual(step.latency.maxMs);
}

let bench: Bench;

beforeAll(async () => {
  const options = { ...parseArgs(["--quick", "--no-save"], {}), sizes: TINY, log: () => undefined };
  // Unpinned: the test only checks that the harness works, and other test files may be running.
  bench = await openBench(options, { enabled: false, description: "unpinned (test)" });
});

afterAll(async () => {
  await bench?.close();
  killTracked();
});

describe.each(TARGET_NAMES)("bench harness against %s", (target) => {
  it("fanout: every send reaches every member of the room", async () => {
    const result = await bench.run("fanout", target);
    expect(result.status, result.note).toBe("ok");
    const { fixed, steps } = result.details as {
      fixed: StepOutcome;
      steps: Array<StepOutcome & { passed: boolean }>;
    };
    expectConsistentStep(fixed, TINY.fanout.members);
    expect(metric(result, "latency at 200 deliveries/s: p99")).toBe(fixed.latency.p99Ms);
    expect(steps).toHaveLength(1);
    const [step] = steps;
    if (!step) throw new Error("no step");
    expectConsistentStep(step, TINY.fanout.members);
    // 20 msg/s for 0.3 s: six sends, give or take the one a sender may squeeze in at the edge.
    expect(step.sent).toBeGreaterThanOrEqual(5);
    expect(step.sent).toBeLessThanOrEqual(7);
    expect(metric(result, "sustained deliveries/s")).toBeCloseTo(step.received / 0.3, 6);
  });

  it("rooms: deliveries = sends × members per room", async () => {
    const result = await bench.run("rooms", target);
    expect(result.status, result.note).toBe("ok");
    const { outcome } = result.details as { outcome: StepOutcome };
    expectConsistentStep(outcome, TINY.rooms.membersPerRoom);
    expect(metric(result, "deliveries/s")).toBeCloseTo(outcome.received / 0.5, 6);
  });

  it("idle: holds every connection and reports memory per connection", async () => {
    const result = await bench.run("idle", target);
    expect(result.status, result.note).toBe("ok");
    expect(metric(result, "connections held")).toBe(TINY.idle.connections);
    expect(Number.isFinite(metric(result, "RSS per connection"))).toBe(true);
    expect(metric(result, "server RSS with connections")).toBeGreaterThan(0);
  });

  it("durable: acked sends on SQLite for Parley, not applicable to baselines", async () => {
    const result = await bench.run("durable", target);
    if (target !== "parley") {
      expect(result.status).toBe("n/a");
      return;
    }
    expect(result.status, result.note).toBe("ok");
    const outcome = (result.details as { backends: Record<string, StepOutcome & { acksPerSecond: number }> })
      .backends.SQLite;
    if (!outcome) throw new Error("no SQLite outcome");
    expect(outcome.acks).toBeGreaterThan(0);
    expect(outcome.acks).toBeLessThanOrEqual(outcome.sent);
    expectConsistentStep(outcome, TINY.durable.sendersPerRoom);
    expect(metric(result, "SQLite acked sends/s")).toBeGreaterThan(0);
  });

  it("search: every answer matches the seeded corpus on SQLite; indexing priced both ways", async () => {
    const result = await bench.run("search", target);
    if (target !== "parley") {
      expect(result.status).toBe("n/a");
      return;
    }
    // "ok" means every query returned the number of results the corpus says.
    expect(result.status, result.note).toBe("ok");
    expect(metric(result, "messages searched")).toBe(TINY.search.messages);
    expect(metric(result, "SQLite search p50 (server)")).toBeLessThanOrEqual(
      metric(result, "SQLite search p99 (server)"),
    );
    expect(metric(result, "SQLite acked sends/s, index off")).toBeGreaterThan(0);
    expect(metric(result, "SQLite acked sends/s, index on")).toBeGreaterThan(0);
  });

  it("history: keyset pages from a seeded room", async () => {
    const result = await bench.run("history", target);
    if (target !== "parley") {
      expect(result.status).toBe("n/a");
      return;
    }
    expect(result.status, result.note).toBe("ok");
    expect(metric(result, "messages in room")).toBe(TINY.history.messages);
    expect(metric(result, "page p50")).toBeLessThanOrEqual(metric(result, "page p99"));
    // The bare query, timed in-process, is part of what a page costs over HTTP.
    expect(metric(result, "bare query p50")).toBeGreaterThan(0);
    expect(metric(result, "bare query p50")).toBeLessThanOrEqual(metric(result, "bare query p99"));
    expect(metric(result, "bare query p50") / 1000).toBeLessThan(metric(result, "page p50"));
  });

  it("reconnect-storm: every client comes back with each of its rooms joined", async () => {
    const result = await bench.run("reconnect-storm", target);
    expect(result.status, result.note).toBe("ok");
    expect(metric(result, "clients back")).toBe(TINY.storm.clients);
    const { storm } = result.details as { storm: { readyLatency: { count: number } } };
    expect(storm.readyLatency.count).toBe(TINY.storm.clients);
    expect(metric(result, "time to joined p50")).toBeLessThanOrEqual(metric(result, "time to joined p99"));
  });

  it("crossnode: without a shared database it is skipped, and baselines are n/a", async () => {
    const result = await bench.run("crossnode", target);
    expect(result.status).toBe(target === "parley" ? "skipped" : "n/a");
  });
});

describe("bench harness: crossnode with a database and Redis", () => {
  it.runIf(CROSSNODE_DATABASE !== undefined && CROSSNODE_REDIS !== undefined)(
    "crossnode: two nodes over Redis, latency kept per node",
    async () => {
      const options = bench.context.options;
      // Only for this case: durable would otherwise also run on these databases.
      Object.assign(options, CROSSNODE_DATABASE, { redisUrl: CROSSNODE_REDIS });
      let result: ScenarioResult;
      try {
        result = await bench.run("crossnode", "parley");
      } finally {
        Object.assign(options, { postgresUrl: undefined, mysqlUrl: undefined, redisUrl: undefined });
      }
      expect(result.status, result.note).toBe("ok");
      const { outcome } = result.details as { outcome: StepOutcome };
      expectConsistentStep(outcome, TINY.crossnode.membersPerNode * 2);
      const [a, b] = outcome.byNode ?? [];
      if (!a || !b) throw new Error("no per-node outcome");
      // Every send reached every member on node A (the sender's own node) and on node B.
      expect(a.received).toBe(outcome.sent * TINY.crossnode.membersPerNode);
      expect(b.received).toBe(outcome.sent * TINY.crossnode.membersPerNode);
      expect(a.latency.count + b.latency.count).toBe(outcome.latency.count);
      expect(metric(result, "added on node B (B − A) p50")).toBeCloseTo(b.latency.p50Ms - a.latency.p50Ms, 6);
      // The reference run on one node without Redis: the same room, every send to every member.
      const { single } = result.details as { single: StepOutcome };
      expectConsistentStep(single, TINY.crossnode.membersPerNode * 2);
      expect(metric(result, "added by crossing Redis (B − one node) p50")).toBeCloseTo(
        b.latency.p50Ms - single.latency.p50Ms,
        6,
      );
    },
    60_000,
  );
});
