import { Fleet } from "../load/fleet.js";
import type { ConnSpec } from "../load/protocol.js";
import type { TargetName } from "../servers/target.js";
import { withTarget } from "../servers/targets.js";
import { sleep } from "../system/clock.js";
import { noiseNote, otherCpuShare, sampleCpu } from "../system/noise.js";
import { cpuSeconds, openFileLimit } from "../system/proc.js";
import type { ScenarioContext } from "./context.js";
import { toSpec } from "./members.js";
import { latencyMetrics, type ScenarioResult } from "./result.js";

/** A load process stays well under the 20,000 open-files limit and its address's ports. */
const MAX_CONNECTIONS_PER_LOAD_PROCESS = 10_000;
/** Descriptors the server needs besides client sockets: database, WAL, listening socket, stdio, tsx. */
const SERVER_FD_RESERVE = 300;
const CONNECT_TIMEOUT_MS = 120_000;
/** After everyone dropped: the server's leave work (presence, unwatch) finishes before the storm. */
const SETTLE_AFTER_DROP_MS = 3000;

/** Client i is in 1, 2 or 3 rooms; memberships are dealt round-robin so no room passes its size. */
export function stormRooms(
  clients: number,
  membersPerRoom: number,
): { rooms: number; roomsOf: (i: number) => number[] } {
  const memberships = (i: number) => 1 + (i % 3);
  let total = 0;
  const firstMembership: number[] = [];
  for (let i = 0; i < clients; i++) {
    firstMembership.push(total);
    total += memberships(i);
  }
  const rooms = Math.max(3, Math.ceil(total / membersPerRoom));
  return {
    rooms,
    roomsOf: (i) => Array.from({ length: memberships(i) }, (_, j) => ((firstMembership[i] ?? 0) + j) % rooms),
  };
}

/**
 * A reconnect storm, as after a deploy: N signed-in clients, each a member of one to three rooms
 * of up to `membersPerRoom`, first connect and join (the warm-up, also what the baselines are
 * compared on), all drop at once, then all come back at once resuming every room with `since`.
 * Measured on the storm: the time until every client has all its `joined`, each client's time to
 * its last `joined` (queueing in the load process included, as a real client would wait), and the
 * server's CPU. Parley runs with its admission gate off: this measures capacity, not the gate.
 */
export async function runStorm(context: ScenarioContext, targetName: TargetName): Promise<ScenarioResult> {
  const size = context.options.sizes.storm;
  return withTarget(targetName, { pinning: context.pinning }, async (target) => {
    const limit = openFileLimit(target.server.pid) - SERVER_FD_RESERVE;
    const clients = Math.min(size.clients, limit);
    const { rooms, roomsOf } = stormRooms(clients, size.membersPerRoom);
    context.log(`    ${clients} clients in ${rooms} rooms: signing in…`);
    const roomIds = await target.createRooms("storm", rooms);
    const users = await target.users("storm", clients);
    const specsFor = (since: number | undefined): ConnSpec[] =>
      users.map((user, i) => {
        const spec = toSpec(
          i,
          user,
          roomsOf(i).map((room) => roomIds[room] as string),
        );
        return since === undefined ? spec : { ...spec, since };
      });
    await context.pool.ensure(Math.ceil(clients / MAX_CONNECTIONS_PER_LOAD_PROCESS));
    const ownPids = () => [target.server.pid, ...context.pool.pids(), process.pid];

    const measure = async (specs: ConnSpec[], concurrency: number) => {
      const cpuBefore = cpuSeconds(target.server.pid);
      const noiseBefore = sampleCpu(ownPids());
      const started = performance.now();
      const fleet = await Fleet.open(context.pool, target, specs, CONNECT_TIMEOUT_MS, concurrency);
      const seconds = (performance.now() - started) / 1000;
      return {
        fleet,
        seconds,
        serverCpuSeconds: cpuSeconds(target.server.pid) - cpuBefore,
        otherShare: otherCpuShare(noiseBefore, sampleCpu(ownPids())),
      };
    };

    context.log("    first connect and join…");
    const first = await measure(specsFor(undefined), size.warmConcurrency);
    await first.fleet.close();
    await sleep(SETTLE_AFTER_DROP_MS);
    context.log("    everyone dropped; the storm…");
    const storm = await measure(specsFor(0), size.stormConcurrency);
    await storm.fleet.close();

    const { connect } = storm.fleet;
    const perCpuSecond = storm.serverCpuSeconds > 0 ? connect.connected / storm.serverCpuSeconds : null;
    const notes = [
      clients < size.clients ? `capped at ${clients}: the server's open-file limit` : "",
      connect.failed > 0 ? `${connect.failed} failed in the storm: ${connect.firstError}` : "",
      first.fleet.connect.failed > 0 ? `${first.fleet.connect.failed} failed in the first connect` : "",
      noiseNote(Math.max(first.otherShare, storm.otherShare)) ?? "",
    ].filter(Boolean);
    return {
      scenario: "reconnect-storm",
      target: targetName,
      status: "ok",
      otherCpuShare: storm.otherShare,
      ...(notes.length > 0 ? { note: notes.join("; ") } : {}),
      metrics: [
        { label: "clients back", value: connect.connected, unit: "", better: "higher" },
        { label: "storm: all joined in", value: storm.seconds, unit: "s", better: "lower" },
        {
          label: "storm: connect+resume rate",
          value: connect.connected / storm.seconds,
          unit: "conn/s",
          better: "higher",
        },
        ...latencyMetrics(storm.fleet.readyLatency, "time to joined"),
        { label: "storm: per server CPU-second", value: perCpuSecond, unit: "conn", better: "higher" },
        {
          label: "first connect+join rate",
          value: first.fleet.connect.connected / first.seconds,
          unit: "conn/s",
          better: "higher",
        },
      ],
      details: {
        ...size,
        clients,
        rooms,
        first: {
          seconds: first.seconds,
          serverCpuSeconds: first.serverCpuSeconds,
          connect: first.fleet.connect,
          readyLatency: first.fleet.readyLatency,
        },
        storm: {
          seconds: storm.seconds,
          serverCpuSeconds: storm.serverCpuSeconds,
          connect,
          readyLatency: storm.fleet.readyLatency,
        },
      },
    };
  });
}
