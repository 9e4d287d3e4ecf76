import { withFleet } from "../load/fleet.js";
import type { TargetName } from "../servers/target.js";
import { withTarget } from "../servers/targets.js";
import { createMysqlDatabase, createPostgresDatabase, type ScratchDatabase } from "../system/databases.js";
import { noiseNote } from "../system/noise.js";
import type { ScenarioContext } from "./context.js";
import { memberSpecs, requireAllConnected } from "./members.js";
import { type Metric, notApplicable, type ScenarioResult } from "./result.js";

interface Backend {
  name: "SQLite" | "MariaDB" | "PostgreSQL";
  /** Undefined: Parley's default SQLite file in its data directory. */
  create?: () => Promise<ScratchDatabase>;
}

function backends(context: ScenarioContext): Backend[] {
  const { mysqlUrl, postgresUrl } = context.options;
  return [
    { name: "SQLite" },
    ...(mysqlUrl ? [{ name: "MariaDB" as const, create: () => createMysqlDatabase(mysqlUrl) }] : []),
    ...(postgresUrl
      ? [{ name: "PostgreSQL" as const, create: () => createPostgresDatabase(postgresUrl) }]
      : []),
  ];
}

/**
 * Persisted, acknowledged sends per second: every sender keeps a few sends awaiting their
 * ack (sent after the commit), so the rate is what the server and its database sustain.
 * Baselines persist nothing, so the scenario does not apply to them.
 */
export async function runDurable(context: ScenarioContext, targetName: TargetName): Promise<ScenarioResult> {
  if (targetName !== "parley") return notApplicable("durable", targetName, "no persistence in the baseline");
  const size = context.options.sizes.durable;
  const metrics: Metric[] = [];
  const details: Record<string, unknown> = {};
  const skipped: string[] = [];
  const notes: string[] = [];
  let noise: number | undefined;
  for (const backend of backends(context)) {
    const database = await backend.create?.();
    try {
      const outcome = await withTarget(
        "parley",
        { pinning: context.pinning, ...(database ? { databaseUrl: database.url } : {}) },
        async (target) => {
          const roomIds = await target.createRooms("durable", size.rooms);
          const roomOf = (i: number) => roomIds[i % size.rooms] as string;
          const count = size.rooms * size.sendersPerRoom;
          const specs = await memberSpecs(target, "writer", count, (i) => [roomOf(i)]);
          return withFleet(context.pool, target, specs, async (fleet) => {
            requireAllConnected(fleet, count);
            return fleet.closedLoop({
              step: 1,
              durationMs: size.durationMs,
              drainMs: size.drainMs,
              window: size.window,
              senders: specs.map((spec) => ({ conn: spec.id, roomId: roomOf(spec.id) })),
            });
          });
        },
      );
      context.log(
        `    ${backend.name}: ${outcome.acksPerSecond.toFixed(0)} acked sends/s, ack p99 ${outcome.ackLatency.p99Ms} ms`,
      );
      metrics.push(
        {
          label: `${backend.name} acked sends/s`,
          value: outcome.acksPerSecond,
          unit: "",
          better: "higher",
        },
        { label: `${backend.name} ack p50`, value: outcome.ackLatency.p50Ms, unit: "ms", better: "lower" },
        { label: `${backend.name} ack p99`, value: outcome.ackLatency.p99Ms, unit: "ms", better: "lower" },
        {
          label: `${backend.name} server CPU per 1k acks`,
          value: outcome.acks > 0 ? (outcome.serverCpuSeconds / outcome.acks) * 1000 : null,
          unit: "s",
          better: "lower",
        },
      );
      details[backend.name] = outcome;
      // A database server's own CPU counts as "other" too, so only SQLite's figure says anything about noise.
      if (!backend.create) noise = outcome.otherCpuShare;
      const noisy = backend.create ? undefined : noiseNote(outcome.otherCpuShare);
      if (noisy) notes.push(noisy);
    } finally {
      await database?.drop();
    }
  }
  if (!context.options.mysqlUrl) skipped.push("MariaDB (set BENCH_MYSQL_URL)");
  if (!context.options.postgresUrl) skipped.push("PostgreSQL (set BENCH_POSTGRES_URL)");
  return {
    scenario: "durable",
    target: targetName,
    status: "ok",
    ...(noise === undefined ? {} : { otherCpuShare: noise }),
    ...(skipped.length > 0 || notes.length > 0
      ? { note: [...notes, ...(skipped.length > 0 ? [`not run: ${skipped.join(", ")}`] : [])].join("; ") }
      : {}),
    metrics,
    details: { ...size, backends: details },
  };
}
