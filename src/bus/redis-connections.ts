import { Redis } from "ioredis";
import { DependencyHealth, silentOutages } from "../health/dependency-health.js";
import { type RedisCommandTimer, timeRedisCommands } from "./redis-command-timer.js";

export interface RedisConnections {
  /** Sessions and presence: fails at once while Redis is away, so callers can answer clearly. */
  commands: Redis;
  /** Publishes: queues while Redis is away, so a committed message is still fanned out once it is back. */
  publisher: Redis;
  /** Subscriber mode; ioredis resubscribes after a reconnect. */
  subscriber: Redis;
  /** Whether Redis answers: a lost connection or a command that timed out marks it down, a probe marks it up. */
  health: DependencyHealth;
  /** True while every connection is open and Redis answers. */
  readonly available: boolean;
  disconnect(): void;
}

export interface RedisTimeouts {
  /** Opening a connection (TCP and handshake). */
  connectMs: number;
  /** One command. A frozen Redis keeps its TCP connections open and never answers: only this notices. */
  commandMs: number;
}

export const DEFAULT_REDIS_TIMEOUTS: RedisTimeouts = { connectMs: 2000, commandMs: 1000 };

/** How often Redis is pinged, so a freeze is noticed with no traffic and a recovery without waiting for a user. */
const PROBE_INTERVAL_MS = 1000;

// Reconnect quickly at first, then every two seconds, forever: an outage must heal by itself.
const retryStrategy = (attempt: number) => Math.min(attempt * 100, 2000);

export async function connectRedis(
  url: string,
  timeouts: RedisTimeouts = DEFAULT_REDIS_TIMEOUTS,
  health = new DependencyHealth("redis", silentOutages),
  /** Told the time of every command on every connection, e.g. for a latency histogram. */
  commandTimed?: RedisCommandTimer,
): Promise<RedisConnections> {
  const common = { lazyConnect: true, retryStrategy, connectTimeout: timeouts.connectMs };
  const commands = new Redis(url, {
    ...common,
    commandTimeout: timeouts.commandMs,
    // Refuse at once while disconnected, and do not replay a command sent before a disconnect.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
  });
  // A publish that times out stays queued and still goes out when Redis answers again (its
  // caller has moved on by then: the message is committed and clients resume by seq).
  const publisher = new Redis(url, {
    ...common,
    commandTimeout: timeouts.commandMs,
    maxRetriesPerRequest: null,
  });
  const subscriber = new Redis(url, { ...common, maxRetriesPerRequest: null });
  const all = [commands, publisher, subscriber];
  for (const connection of all) {
    if (commandTimed) timeRedisCommands(connection, commandTimed);
    // Errors while Redis is away are expected; the health reports the outage once.
    connection.on("error", () => undefined);
    connection.on("close", () => health.failed(new Error("connection to Redis closed")));
  }
  await Promise.all(all.map((connection) => connection.connect()));
  const probe = setInterval(() => {
    commands.ping().then(
      () => {
        if (all.every((connection) => connection.status === "ready")) health.succeeded();
      },
      (error: unknown) => health.failed(error),
    );
  }, PROBE_INTERVAL_MS);
  probe.unref();
  return {
    commands,
    publisher,
    subscriber,
    health,
    get available() {
      return health.up && all.every((connection) => connection.status === "ready");
    },
    disconnect() {
      clearInterval(probe);
      // Our own hang-up is no outage.
      for (const connection of all) connection.removeAllListeners("close").disconnect();
    },
  };
}
