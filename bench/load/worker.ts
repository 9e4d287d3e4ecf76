import type { Histogram } from "hdr-histogram-js";
import { encodeHistogram, newHistogram, recordMicros } from "../stats/histogram.js";
import { nowUs } from "../system/clock.js";
import { mapLimit } from "../system/concurrency.js";
import { loadConnector } from "./connector.js";
import type { ConnectionHandlers, LoadConnection } from "./driver.js";
import { isLocalPortTaken, LocalPorts } from "./local-ports.js";
import { clientIdFor, messageBody, readBody, readClientId } from "./payload.js";
import type {
  Collected,
  ConnectResult,
  Progress,
  SendResult,
  WorkerCommand,
  WorkerReply,
  WorkerRequest,
} from "./protocol.js";
import { READY, TIMELINE_SLOT_US } from "./protocol.js";

/**
 * A load process: holds its share of the connections, sends on the schedule it is given and
 * records, per recipient, the time from each message's scheduled send to its arrival.
 */

const connections = new Map<number, LoadConnection>();
const localPorts = LocalPorts.belowEphemeralRange();
/** Local ports tried per connection before giving up on it (a few may be held by listeners). */
const PORT_ATTEMPTS = 20;
/** Per connection, how many sends it has made: part of every clientId, which must never repeat. */
const sendCounts = new Map<number, number>();

let step = -1;
let counters: Progress = { received: 0, acks: 0, stray: 0, closed: 0, errors: 0 };
/** Per server node (ConnSpec.node): deliveries of the current step and their latencies. */
let deliveries: Histogram[] = [newHistogram()];
let receivedByNode: number[] = [0];
let ackLatencies: Histogram = newHistogram();
/** While a closed loop runs: the room each of its senders sends to. */
let closedLoopRooms: Map<number, string> | undefined;
let closedLoopSent: Record<string, number> = {};
let acksInWindow = 0;
/** When the current step's schedule began, and its worst latency per slot of scheduled time. */
let stepStartUs = 0;
let worstBySlot: number[] = [];

function startStep(next: number, startUs: number): void {
  step = next;
  stepStartUs = startUs;
  worstBySlot = [];
  counters = { received: 0, acks: 0, stray: 0, closed: counters.closed, errors: 0 };
  const nodes = deliveries.length;
  for (const histogram of deliveries) histogram.destroy();
  ackLatencies.destroy();
  deliveries = Array.from({ length: nodes }, () => newHistogram());
  receivedByNode = new Array<number>(nodes).fill(0);
  ackLatencies = newHistogram();
  acksInWindow = 0;
}

function send(conn: number, roomId: string, scheduledUs: number): boolean {
  const connection = connections.get(conn);
  if (!connection) return false;
  const n = (sendCounts.get(conn) ?? 0) + 1;
  sendCounts.set(conn, n);
  return connection.send(roomId, clientIdFor(conn, n, scheduledUs), messageBody(step, scheduledUs));
}

/** Makes room for connections to server node `node` (histograms are kept per node). */
function ensureNode(node: number): void {
  while (deliveries.length <= node) {
    deliveries.push(newHistogram());
    receivedByNode.push(0);
  }
}

function handlersFor(conn: number, node: number): ConnectionHandlers {
  ensureNode(node);
  return {
    onDelivery(body) {
      const stamp = readBody(body);
      if (!stamp) return;
      if (stamp.step !== step) {
        counters.stray++;
        return;
      }
      counters.received++;
      receivedByNode[node] = (receivedByNode[node] ?? 0) + 1;
      const histogram = deliveries[node];
      const latencyUs = nowUs() - stamp.scheduledUs;
      if (histogram) recordMicros(histogram, latencyUs);
      const slot = Math.max(0, Math.floor((stamp.scheduledUs - stepStartUs) / TIMELINE_SLOT_US));
      if (latencyUs > (worstBySlot[slot] ?? 0)) worstBySlot[slot] = latencyUs;
    },
    onAck(clientId) {
      counters.acks++;
      const stamp = readClientId(clientId);
      if (stamp) recordMicros(ackLatencies, nowUs() - stamp.scheduledUs);
      const roomId = closedLoopRooms?.get(conn);
      if (roomId !== undefined) {
        acksInWindow++;
        // Keep the window full: one ack in, one send out.
        if (send(conn, roomId, nowUs())) closedLoopSent[roomId] = (closedLoopSent[roomId] ?? 0) + 1;
      }
    },
    onError() {
      counters.errors++;
    },
    onClose() {
      counters.closed++;
      connections.delete(conn);
    },
  };
}

async function retryOnTakenPort<T>(open: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await open();
    } catch (error) {
      if (!isLocalPortTaken(error) || attempt >= Math.min(PORT_ATTEMPTS, localPorts.size)) throw error;
    }
  }
}

async function connect(command: Extract<WorkerCommand, { type: "connect" }>): Promise<ConnectResult> {
  const connector = await loadConnector(command.driver);
  const result: ConnectResult = { connected: 0, failed: 0 };
  const startedUs = nowUs();
  const ready = newHistogram();
  await mapLimit(command.conns, command.concurrency, async (spec) => {
    try {
      const node = spec.node ?? 0;
      const server = command.servers[node];
      if (!server) throw new Error(`connection ${spec.id}: no server ${node}`);
      const open = () =>
        connector(
          {
            url: server.url,
            origin: server.origin,
            name: spec.name,
            ...(spec.cookie ? { cookie: spec.cookie } : {}),
            localAddress: command.localAddress,
            localPort: localPorts.take(),
            timeoutMs: command.timeoutMs,
          },
          handlersFor(spec.id, node),
        );
      const connection = await retryOnTakenPort(open);
      connections.set(spec.id, connection);
      for (const roomId of spec.rooms) await connection.join(roomId, command.timeoutMs, spec.since);
      recordMicros(ready, nowUs() - startedUs);
      result.connected++;
    } catch (error) {
      result.failed++;
      result.firstError ??= error instanceof Error ? error.message : String(error);
    }
  });
  result.readyHistogram = encodeHistogram(ready);
  ready.destroy();
  return result;
}

/**
 * Sends on a fixed schedule whatever the replies do (open loop). All senders share one
 * period and are sorted by phase, so walking them round-robin visits sends in time order.
 * A late timer sends the overdue messages at once, each still stamped with its own
 * scheduled time, so a stall shows up as latency instead of disappearing (coordinated omission).
 */
function openLoop(command: Extract<WorkerCommand, { type: "openLoop" }>): Promise<SendResult> {
  startStep(command.step, command.startUs);
  const senders = [...command.senders].sort((a, b) => a.phaseUs - b.phaseUs);
  const due = senders.map((sender) => command.startUs + sender.phaseUs);
  const sentByRoom: Record<string, number> = {};
  let cursor = 0;
  return new Promise((resolve) => {
    const tick = () => {
      const now = nowUs();
      for (;;) {
        const sender = senders[cursor];
        const next = due[cursor];
        if (sender === undefined || next === undefined || next >= command.endUs) {
          resolve({ sentByRoom, acksInWindow: 0 });
          return;
        }
        if (next > now) break;
        // Whole microseconds: the stamp goes into clientId, where Parley allows no "." .
        const at = Math.round(next);
        if (send(sender.conn, sender.roomId, at))
          sentByRoom[sender.roomId] = (sentByRoom[sender.roomId] ?? 0) + 1;
        due[cursor] = next + command.periodUs;
        cursor = (cursor + 1) % senders.length;
      }
      setTimeout(tick, Math.max(0, Math.floor(((due[cursor] ?? now) - nowUs()) / 1000)));
    };
    tick();
  });
}

/** Each sender keeps `window` unacknowledged sends in flight for the duration: maximum durable throughput. */
function closedLoop(command: Extract<WorkerCommand, { type: "closedLoop" }>): Promise<SendResult> {
  startStep(command.step, nowUs());
  closedLoopSent = {};
  closedLoopRooms = new Map(command.senders.map((sender) => [sender.conn, sender.roomId]));
  for (const sender of command.senders) {
    for (let i = 0; i < command.window; i++) {
      if (send(sender.conn, sender.roomId, nowUs())) {
        closedLoopSent[sender.roomId] = (closedLoopSent[sender.roomId] ?? 0) + 1;
      }
    }
  }
  return new Promise((resolve) => {
    setTimeout(() => {
      closedLoopRooms = undefined;
      resolve({ sentByRoom: closedLoopSent, acksInWindow });
    }, command.durationMs);
  });
}

function disconnect(): { closed: number } {
  const closed = connections.size;
  for (const connection of connections.values()) connection.close();
  connections.clear();
  sendCounts.clear();
  counters = { received: 0, acks: 0, stray: 0, closed: 0, errors: 0 };
  // The next fleet may have fewer server nodes: start again from one.
  for (const histogram of deliveries) histogram.destroy();
  deliveries = [newHistogram()];
  receivedByNode = [0];
  return { closed };
}

async function handle(command: WorkerCommand): Promise<unknown> {
  switch (command.type) {
    case "connect":
      return connect(command);
    case "openLoop":
      return openLoop(command);
    case "closedLoop":
      return closedLoop(command);
    case "progress":
      return { ...counters } satisfies Progress;
    case "collect":
      return {
        ...counters,
        byNode: deliveries.map((histogram, node) => ({
          received: receivedByNode[node] ?? 0,
          histogram: encodeHistogram(histogram),
        })),
        ackHistogram: encodeHistogram(ackLatencies),
        worstBySlot: Array.from(worstBySlot, (worst) => worst ?? 0),
      } satisfies Collected;
    case "disconnect":
      return disconnect();
  }
}

function reply(message: WorkerReply): void {
  process.send?.(message);
}

process.on("message", (request: WorkerRequest) => {
  handle(request.command).then(
    (result) => reply({ id: request.id, ok: true, result }),
    (error: unknown) =>
      reply({
        id: request.id,
        ok: false,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
  );
});
// The coordinator is gone (finished or killed): nothing left to do here.
process.on("disconnect", () => process.exit(0));
process.send?.(READY);
