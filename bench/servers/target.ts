import type { DriverKind } from "../load/protocol.js";
import type { Pinning } from "../system/pinning.js";
import type { ServerProcess } from "./server-process.js";

/** The three servers every shared scenario runs against, in the order of the result columns. */
export const TARGET_NAMES = ["parley", "ws", "socketio"] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

export const TARGET_LABELS: Record<TargetName, string> = {
  parley: "Parley",
  ws: "ws baseline",
  socketio: "Socket.IO baseline",
};

/** What a load process needs to connect as one user. Baselines have no sessions: a name is enough. */
export interface Credential {
  name: string;
  cookie?: string;
}

export interface RunningTarget {
  readonly name: TargetName;
  readonly server: ServerProcess;
  readonly driver: DriverKind;
  /** ws:// URL of the WebSocket endpoint, or the http:// base URL for Socket.IO. */
  readonly connectUrl: string;
  readonly origin: string;
  /** `count` distinct users able to connect (Parley signs each one in). */
  users(prefix: string, count: number): Promise<Credential[]>;
  /** `count` rooms, returned as the ids clients join. */
  createRooms(prefix: string, count: number): Promise<string[]>;
  stop(): Promise<void>;
}

export interface StartOptions {
  pinning: Pinning;
  /** Parley only: mysql:// or postgres:// URL of an existing empty database; SQLite otherwise. */
  databaseUrl?: string;
  /** Parley only: an existing data directory (kept after stop), e.g. a seeded history database. */
  dataDir?: string;
  /** Parley only: more environment, e.g. REDIS_URL and AUTH_SECRET for the nodes of a cluster. */
  env?: Record<string, string>;
}
