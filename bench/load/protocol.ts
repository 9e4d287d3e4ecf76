/**
 * The IPC vocabulary between the coordinator and its load processes. Every command gets
 * exactly one reply carrying the same id.
 */

/** `json-ws`: Parley and the bare ws baseline speak the same JSON frames; `socketio`: Socket.IO 4. */
export type DriverKind = "json-ws" | "socketio";

/** One connection a load process opens, numbered across the whole fleet. */
export interface ConnSpec {
  id: number;
  name: string;
  cookie?: string;
  /** Rooms to join, in order, before the connection counts as ready. */
  rooms: string[];
  /** Which of the connect command's servers it connects to (default 0); latency is kept per server. */
  node?: number;
  /** Resume: each join carries this `since` (the highest sequence the client already holds). */
  since?: number;
}

/** Where a connection goes: one entry per server node of the fleet. */
export interface ServerAddress {
  url: string;
  origin: string;
}

export interface SenderSpec {
  conn: number;
  roomId: string;
  /** Offset of this sender's first send within one period, so senders do not fire in bursts. */
  phaseUs: number;
}

export type WorkerCommand =
  | {
      type: "connect";
      driver: DriverKind;
      /** Indexed by ConnSpec.node; one entry for a single server. */
      servers: ServerAddress[];
      localAddress: string;
      conns: ConnSpec[];
      concurrency: number;
      timeoutMs: number;
    }
  | {
      /** Open loop: each sender sends at startUs + phaseUs + n·periodUs while that is before endUs. */
      type: "openLoop";
      step: number;
      startUs: number;
      endUs: number;
      periodUs: number;
      senders: SenderSpec[];
    }
  | {
      /** Closed loop: each sender keeps `window` sends awaiting their ack for durationMs. */
      type: "closedLoop";
      step: number;
      durationMs: number;
      window: number;
      senders: Array<{ conn: number; roomId: string }>;
    }
  | { type: "progress" }
  | { type: "collect" }
  | { type: "disconnect" };

export interface ConnectResult {
  connected: number;
  failed: number;
  firstError?: string;
  /**
   * Compressed HDR histogram (µs): from the connect command's start to each connection's last
   * `joined`, queueing in the load process included (what a client of a reconnect storm waits).
   */
  readyHistogram?: string;
}

export interface SendResult {
  sentByRoom: Record<string, number>;
  /** Acks that arrived while a closed loop was running (zero for open loops). */
  acksInWindow: number;
}

export interface Progress {
  /** Deliveries of the current step. */
  received: number;
  acks: number;
  /** Deliveries stamped with an earlier step: they arrived after that step was scored. */
  stray: number;
  /** Connections that closed without being asked to, since they were opened (not reset per step). */
  closed: number;
  /** Error frames from the server. */
  errors: number;
}

export interface Collected extends Progress {
  /**
   * Per server node (indexed by ConnSpec.node): deliveries to that node's connections and their
   * compressed HDR histogram (µs, scheduled send → receipt at each recipient).
   */
  byNode: Array<{ received: number; histogram: string }>;
  /** Compressed HDR histogram (µs): scheduled send → ack at the sender. */
  ackHistogram: string;
  /** The worst delivery latency (µs) per TIMELINE_SLOT_US of scheduled send time since the step began. */
  worstBySlot: number[];
}

/** Width of one slot of a step's latency timeline: where in the step the tail came from. */
export const TIMELINE_SLOT_US = 250_000;

export interface WorkerRequest {
  id: number;
  command: WorkerCommand;
}

export type WorkerReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string };

/** Sent once by a load process when it is ready for commands. */
export const READY = "ready";
