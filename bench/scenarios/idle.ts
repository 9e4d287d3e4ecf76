import { withFleet } from "../load/fleet.js";
import { type TargetName, withTarget } from "../servers/targets.js";
import { sleep } from "../system/clock.js";
import { noiseNote, otherCpuShare, sampleCpu } from "../system/noise.js";
import { openFileLimit, rssBytes } from "../system/proc.js";
import type { ScenarioContext } from "./context.js";
import { toSpec } from "./members.js";
import type { ScenarioResult } from "./result.js";

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
