import type { TargetName } from "../servers/targets.js";
import type { ScenarioContext } from "./context.js";
import type { ScenarioResult } from "./result.js";

/**
 * Fan-out across two Parley nodes sharing one database and Redis: senders on node A,
 * recipients on node B, measuring what the bus adds to delivery latency.
 *
 * TODO(crossnode): Parley's bus is in-process only today (src/bus/in-process-bus.ts; REDIS_URL
 * only stores sessions). Once a Redis bus exists, implement here: start two Parley targets
 * with the same DATABASE_URL (PostgreSQL or MariaDB from BENCH_POSTGRES_URL/BENCH_MYSQL_URL)
 * and REDIS_URL=BENCH_REDIS_URL, open one Fleet per node on the same room ids, send from
 * node A's members only, and score deliveries on both nodes with Fleet.openLoop, as the
 * fanout scenario does. Nothing is detected automatically: BENCH_CROSSNODE=1 opts in.
 */
export async function runCrossnode(
  context: ScenarioContext,
  targetName: TargetName,
): Promise<ScenarioResult> {
  if (targetName !== "parley") {
    return {
      scenario: "crossnode",
      target: targetName,
      status: "n/a",
      note: "single-node baseline",
      metrics: [],
    };
  }
  const note = context.options.crossnode
    ? "BENCH_CROSSNODE=1 but the scenario is not implemented yet (see TODO in bench/scenarios/crossnode.ts)"
    : "not yet available (needs a Redis fan-out bus in Parley; BENCH_CROSSNODE=1 opts in once it exists)";
  return { scenario: "crossnode", target: targetName, status: "skipped", note, metrics: [] };
}
