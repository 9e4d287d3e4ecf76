import type { ScenarioName } from "../options.js";
import type { TargetName } from "../servers/target.js";
import type { ScenarioContext } from "./context.js";
import { runCrossnode, sharedDatabase } from "./crossnode.js";
import { runDurable } from "./durable.js";
import { runFanout } from "./fanout.js";
import { runHistory } from "./history.js";
import { runIdle } from "./idle.js";
import type { ScenarioResult } from "./result.js";
import { runRooms } from "./rooms.js";
import { runSearch } from "./search.js";
import { runStorm } from "./storm.js";
import { runTyping } from "./typing.js";

export type ScenarioRunner = (context: ScenarioContext, target: TargetName) => Promise<ScenarioResult>;

export interface ScenarioEntry {
  title: (context: ScenarioContext) => string;
  /** Whether running against this server measures anything (otherwise it answers n/a or skipped at once). */
  measures: (target: TargetName, context: ScenarioContext) => boolean;
  run: ScenarioRunner;
}

const everyTarget = () => true;
const parleyOnly = (target: TargetName) => target === "parley";

export const SCENARIOS: Record<ScenarioName, ScenarioEntry> = {
  fanout: {
    title: ({ options: { sizes: s } }) =>
      `fanout: 1 room × ${s.fanout.members} members, ${s.fanout.senders} senders, rate doubled per ${s.fanout.stepMs} ms step until p99 > ${s.fanout.p99LimitMs} ms or loss`,
    measures: everyTarget,
    run: runFanout,
  },
  rooms: {
    title: ({ options: { sizes: s } }) =>
      `rooms: ${s.rooms.rooms} rooms × ${s.rooms.membersPerRoom} members, ${s.rooms.ratePerRoom} msg/s per room for ${s.rooms.durationMs / 1000} s`,
    measures: everyTarget,
    run: runRooms,
  },
  idle: {
    title: ({ options: { sizes: s } }) =>
      `idle: up to ${s.idle.connections} signed-in idle connections${s.idle.workers > 1 ? ` (Parley over WORKERS=${s.idle.workers})` : ""}`,
    measures: everyTarget,
    run: runIdle,
  },
  durable: {
    title: ({ options: { sizes: s } }) =>
      `durable: ${s.durable.rooms * s.durable.sendersPerRoom} senders in ${s.durable.rooms} rooms, ${s.durable.window} sends in flight each, ${s.durable.durationMs / 1000} s`,
    measures: parleyOnly,
    run: runDurable,
  },
  history: {
    title: ({ options: { sizes: s } }) =>
      `history: keyset pages of ${s.history.pageSize} at random cursors in a ${s.history.messages.toLocaleString("en")}-message room`,
    measures: parleyOnly,
    run: runHistory,
  },
  crossnode: {
    title: ({ options: { sizes: s } }) =>
      `crossnode: 1 room × ${s.crossnode.membersPerNode} + ${s.crossnode.membersPerNode} members on two Parley nodes sharing Redis, ${s.crossnode.senders} senders on node A, ${s.crossnode.ratePerSecond} msg/s for ${s.crossnode.durationMs / 1000} s`,
    // Without a shared database it answers "skipped" at once; whether Redis answers is checked when it runs.
    measures: (target, context) => target === "parley" && sharedDatabase(context) !== undefined,
    run: runCrossnode,
  },
  "reconnect-storm": {
    title: ({ options: { sizes: s } }) =>
      `reconnect-storm: ${s.storm.clients.toLocaleString("en")} signed-in clients in 1–3 rooms of up to ${s.storm.membersPerRoom} connect and join, all drop, then all reconnect at once resuming with since`,
    measures: everyTarget,
    run: runStorm,
  },
  typing: {
    title: ({ options: { sizes: s } }) =>
      `typing: 1 room × ${s.typing.members} members, ${s.typing.typists} people typing (a notice each per interval) for ${s.typing.durationMs / 1000} s, next to messages at the same rate`,
    measures: parleyOnly,
    run: runTyping,
  },
  search: {
    title: ({ options: { sizes: s } }) =>
      `search: ${s.search.messages.toLocaleString("en")} messages (Japanese + English), each query ${s.search.rounds} times, timed inside the server; indexing cost on durable sends`,
    measures: parleyOnly,
    run: runSearch,
  },
};
