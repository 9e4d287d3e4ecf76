import { withFleet } from "../load/fleet.js";
import type { TargetName } from "../servers/target.js";
import { withTarget } from "../servers/targets.js";
import { sleep } from "../system/clock.js";
import { noiseNote } from "../system/noise.js";
import type { ScenarioContext } from "./context.js";
import { memberSpecs, requireAllConnected } from "./members.js";
import { latencyMetrics, type ScenarioResult } from "./result.js";

const SETTLE_MS = 500;
/** Untimed sends first, at the same rate (Fleet.openLoopAfterWarmUp). */
const WARM_UP_MS = 2000;

/**
 * Many small rooms under a steady load, as a busy workspace looks: every member of every
 * room sends now and then, at a fixed total rate.
 */
export async function runRooms(context: ScenarioContext, targetName: TargetName): Promise<ScenarioResult> {
  const size = context.options.sizes.rooms;
  const members = size.rooms * size.membersPerRoom;
  return withTarget(targetName, { pinning: context.pinning }, async (target) => {
    const roomIds = await target.createRooms("rooms", size.rooms);
    // Member i is in room i mod rooms, so each room's members sit on different load processes.
    const roomOf = (i: number) => roomIds[i % size.rooms] as string;
    const specs = await memberSpecs(target, "member", members, (i) => [roomOf(i)]);
    const outcome = await withFleet(context.pool, target, specs, async (fleet) => {
      requireAllConnected(fleet, members);
      await sleep(SETTLE_MS);
      return fleet.openLoopAfterWarmUp(
        {
          ratePerSecond: size.rooms * size.ratePerRoom,
          durationMs: size.durationMs,
          drainMs: size.drainMs,
          senders: specs.map((spec) => ({ conn: spec.id, roomId: roomOf(spec.id) })),
        },
        WARM_UP_MS,
      );
    });
    const cpuPer100k = outcome.received > 0 ? (outcome.serverCpuSeconds / outcome.received) * 100_000 : null;
    const problems = [
      outcome.lost > 0 ? `${outcome.lost} deliveries lost` : "",
      outcome.closed > 0 ? `${outcome.closed} connections closed` : "",
      outcome.errors > 0 ? `${outcome.errors} error frames` : "",
      noiseNote(outcome.otherCpuShare) ?? "",
    ].filter(Boolean);
    return {
      scenario: "rooms",
      target: targetName,
      status: "ok",
      otherCpuShare: outcome.otherCpuShare,
      ...(problems.length > 0 ? { note: problems.join(", ") } : {}),
      metrics: [
        { label: "deliveries/s", value: outcome.deliveriesPerSecond, unit: "", better: "higher" },
        { label: "sends/s", value: outcome.sent / (size.durationMs / 1000), unit: "", better: "higher" },
        ...latencyMetrics(outcome.latency),
        { label: "lost deliveries", value: outcome.lost, unit: "", better: "lower" },
        { label: "server CPU per 100k deliveries", value: cpuPer100k, unit: "s", better: "lower" },
      ],
      details: { ...size, outcome },
    };
  });
}
