import { TYPING_INTERVAL_MS } from "@parley/protocol";
import WebSocket from "ws";
import { withFleet } from "../load/fleet.js";
import type { Credential, RunningTarget, TargetName } from "../servers/target.js";
import { withTarget } from "../servers/targets.js";
import { nowUs, sleep } from "../system/clock.js";
import { noiseNote } from "../system/noise.js";
import { cpuSeconds } from "../system/proc.js";
import type { ScenarioContext } from "./context.js";
import { memberSpecs, requireAllConnected } from "./members.js";
import type { ScenarioResult } from "./result.js";

const SETTLE_MS = 1000;
const CONNECT_TIMEOUT_MS = 10_000;
/** A typist waits a little over the interval, so a timer firing early is not refused. */
const SLACK_MS = 20;

/** One person typing, on its own socket: sends `typing`, counts refusals and others' typing frames. */
interface Typist {
  sent: number;
  refused: number;
  /** `typing` frames of the others this socket received: a sample that fan-out really happened. */
  heard: number;
  socket: WebSocket;
}

async function openTypist(target: RunningTarget, user: Credential, roomId: string): Promise<Typist> {
  const socket = new WebSocket(target.connectUrl, {
    headers: { origin: target.origin, ...(user.cookie ? { cookie: user.cookie } : {}) },
  });
  const typist: Typist = { sent: 0, refused: 0, heard: 0, socket };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("typist did not join in time")), CONNECT_TIMEOUT_MS);
    socket.on("error", reject);
    socket.on("message", (data) => {
      const text = data.toString();
      if (text.startsWith('{"type":"hello"')) socket.send(JSON.stringify({ type: "join", roomId }));
      else if (text.startsWith('{"type":"joined"')) {
        clearTimeout(timer);
        resolve();
      } else if (text.startsWith('{"type":"typing"')) typist.heard++;
      else if (text.startsWith('{"type":"error"') && text.includes("typing_too_often")) typist.refused++;
    });
  });
  return typist;
}

/**
 * Typing in one big room (the notify slice): `typists` people each send a typing notice every
 * TYPING_INTERVAL_MS, as the browser does while someone keeps typing, to a room of `members`
 * sockets. First, as the reference, messages from as many senders at the same rate (one per
 * notice). Measured: the server CPU typing keeps busy, per 100k deliveries, and as the message
 * deliveries/s that CPU would have carried: compare that with the fan-out scenario's sustained
 * deliveries/s (the budget).
 */
export async function runTyping(context: ScenarioContext, targetName: TargetName): Promise<ScenarioResult> {
  const size = context.options.sizes.typing;
  const framesPerSecond = (size.typists * 1000) / TYPING_INTERVAL_MS;
  return withTarget(targetName, { pinning: context.pinning }, async (target) => {
    const [roomId] = await target.createRooms("typing", 1);
    if (roomId === undefined) throw new Error("no room");
    const specs = await memberSpecs(target, "typ", size.members, () => [roomId]);
    const typistUsers = await target.users("typist", size.typists);
    return withFleet(context.pool, target, specs, async (fleet) => {
      requireAllConnected(fleet, size.members);
      const typists = await Promise.all(typistUsers.map((user) => openTypist(target, user, roomId)));
      await sleep(SETTLE_MS);
      const sockets = size.members + size.typists;
      try {
        // Messages at the rate typing notices will go, from as many senders: the same fan-out, with storage.
        const messages = await fleet.openLoopAfterWarmUp(
          {
            ratePerSecond: framesPerSecond,
            durationMs: size.durationMs,
            drainMs: size.drainMs,
            senders: specs.slice(0, size.typists).map((spec) => ({ conn: spec.id, roomId })),
          },
          size.durationMs / 2,
        );
        await fleet.quiesce(size.drainMs);

        const pid = target.server.pid;
        const cpuBefore = cpuSeconds(pid);
        const startUs = nowUs();
        const periodMs = TYPING_INTERVAL_MS + SLACK_MS;
        await Promise.all(
          typists.map(async (typist, index) => {
            // Spread evenly over one interval, as people start typing at different moments.
            await sleep((index * periodMs) / typists.length);
            while (nowUs() - startUs < size.durationMs * 1000) {
              typist.socket.send(JSON.stringify({ type: "typing", roomId }));
              typist.sent++;
              await sleep(periodMs);
            }
          }),
        );
        // Let the last notices fan out before reading the CPU.
        await sleep(size.drainMs);
        const wallSeconds = (nowUs() - startUs) / 1e6;
        const cpu = cpuSeconds(pid) - cpuBefore;
        const sent = typists.reduce((total, typist) => total + typist.sent, 0);
        const refused = typists.reduce((total, typist) => total + typist.refused, 0);
        const heard = typists.reduce((total, typist) => total + typist.heard, 0);
        // Notices are gathered per room into one frame a second (TYPING_BATCH_MS), naming every typist:
        // each typist hears (nearly) every frame, so the most any heard counts the frames the room got.
        const frames = Math.max(0, ...typists.map((typist) => typist.heard));
        const deliveries = frames * sockets;
        const typingPer100k = deliveries > 0 ? (cpu / deliveries) * 100_000 : null;
        const messagePer100k =
          messages.received > 0 ? (messages.serverCpuSeconds / messages.received) * 100_000 : null;
        // What typing cost, in message deliveries the same CPU would have carried (measured just before).
        const messageCpuPerDelivery =
          messages.received > 0 ? messages.serverCpuSeconds / messages.received : 0;
        const equivalent = messageCpuPerDelivery > 0 ? cpu / wallSeconds / messageCpuPerDelivery : null;
        const notes = [
          refused > 0 ? `${refused} typing notices refused (typing_too_often)` : undefined,
          noiseNote(messages.otherCpuShare),
        ].filter(Boolean);
        return {
          scenario: "typing",
          target: targetName,
          status: "ok",
          otherCpuShare: messages.otherCpuShare,
          ...(notes.length > 0 ? { note: notes.join("; ") } : {}),
          metrics: [
            {
              label: "typing notices/s",
              value: (sent - refused) / (size.durationMs / 1000),
              unit: "",
              better: "higher",
            },
            {
              label: "typing frames per room/s",
              value: frames / (size.durationMs / 1000),
              unit: "",
              better: "lower",
            },
            {
              label: "typing deliveries/s",
              value: deliveries / (size.durationMs / 1000),
              unit: "",
              better: "higher",
            },
            {
              label: "server CPU busy while typing",
              value: (cpu / wallSeconds) * 100,
              unit: "%",
              better: "lower",
            },
            {
              label: "typing cost in message deliveries/s (equivalent)",
              value: equivalent,
              unit: "",
              better: "lower",
            },
            {
              label: "server CPU per 100k typing deliveries",
              value: typingPer100k,
              unit: "s",
              better: "lower",
            },
            {
              label: "server CPU per 100k message deliveries, same rate",
              value: messagePer100k,
              unit: "s",
              better: "lower",
            },
          ],
          details: {
            ...size,
            framesPerSecond,
            sent,
            refused,
            heard,
            frames,
            deliveries,
            cpu,
            wallSeconds,
            messages,
          },
        };
      } finally {
        for (const typist of typists) typist.socket.terminate();
      }
    });
  });
}
