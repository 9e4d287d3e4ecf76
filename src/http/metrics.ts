import type { FastifyInstance } from "fastify";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { ChatMetrics } from "../chat/ports.js";
import type { GatewayMetrics } from "../gateway/websocket-gateway.js";

/** Seconds; fan-out is usually milliseconds, but a reorder wait or a slow commit shows in the tail. */
const FANOUT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const QUERY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export interface Metrics extends GatewayMetrics, ChatMetrics {
  registry: Registry;
  /** Calls to a dependency (database, redis) that failed because it was away or did not answer in time. */
  dependencyFailures: Counter<"dependency">;
  /** Outages begun, per dependency. */
  dependencyOutages: Counter<"dependency">;
  /** 1 while the dependency answers, 0 during an outage. */
  dependencyUp: Gauge<"dependency">;
  /** Seconds per database query (see guarded-dialect). */
  queryTimed(seconds: number): void;
  /** Seconds per Redis command, by command name (see redis-command-timer). */
  redisCommandTimed(command: string, seconds: number): void;
  /** Read at scrape time: the sessions this node's sockets belong to. */
  countSessionsWith(count: () => number): void;
  /** Read at scrape time: the members present in rooms on this node. */
  countPresenceWith(count: () => number): void;
}

/** Prometheus metrics of this process: the runtime's own plus Parley's. Made before what it counts. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "parley_" });
  const connections = new Gauge({
    name: "parley_websocket_connections",
    help: "Open WebSocket connections on this node",
    registers: [registry],
  });
  const slowClientDisconnects = new Counter({
    name: "parley_slow_client_disconnects_total",
    help: "Sockets closed with 4008 because their send queue passed the cap",
    registers: [registry],
  });
  const refusedUpgrades = new Counter({
    name: "parley_websocket_upgrades_refused_total",
    help: "WebSocket upgrades refused with an HTTP status, by reason",
    labelNames: ["reason"],
    registers: [registry],
  });
  const messagesStored = new Counter({
    name: "parley_messages_stored_total",
    help: "New messages committed by this node (a resent clientId is not counted again)",
    registers: [registry],
  });
  const deliveries = new Counter({
    name: "parley_deliveries_total",
    help: "Frames handed to local sockets (one per socket per frame)",
    registers: [registry],
  });
  const fanoutLatency = new Histogram({
    name: "parley_fanout_latency_seconds",
    help: "From the server stamping a message (createdAt, just before its commit) to its hand-off to this node's sockets; once per message per node",
    buckets: FANOUT_BUCKETS,
    registers: [registry],
  });
  const refusals = new Counter({
    name: "parley_refusals_total",
    help: "Error frames sent to clients, by error code",
    labelNames: ["code"],
    registers: [registry],
  });
  const queryLatency = new Histogram({
    name: "parley_database_query_seconds",
    help: "Database query time (BEGIN and COMMIT included), failed queries too",
    buckets: QUERY_BUCKETS,
    registers: [registry],
  });
  const redisCommandLatency = new Histogram({
    name: "parley_redis_command_seconds",
    help: "Redis command time from the call to the reply (time in the offline queue included), failed commands too, by command",
    labelNames: ["command"],
    buckets: QUERY_BUCKETS,
    registers: [registry],
  });
  let sessionCount: () => number = () => 0;
  new Gauge({
    name: "parley_sessions_watched",
    help: "Sessions this node's sockets belong to (watched for sign-out)",
    registers: [registry],
    collect() {
      this.set(sessionCount());
    },
  });
  let presenceCount: () => number = () => 0;
  new Gauge({
    name: "parley_presence_members",
    help: "Members present in rooms on this node (several tabs of a user in a room count once)",
    registers: [registry],
    collect() {
      this.set(presenceCount());
    },
  });
  return {
    registry,
    messageStored: () => messagesStored.inc(),
    delivered: (sockets) => deliveries.inc(sockets),
    fannedOut: (latencyMs) => fanoutLatency.observe(latencyMs / 1000),
    refused: (code) => refusals.inc({ code }),
    queryTimed: (seconds) => queryLatency.observe(seconds),
    redisCommandTimed: (command, seconds) => redisCommandLatency.observe({ command }, seconds),
    countSessionsWith: (count) => {
      sessionCount = count;
    },
    countPresenceWith: (count) => {
      presenceCount = count;
    },
    connectionOpened: () => connections.inc(),
    connectionClosed: () => connections.dec(),
    slowClientClosed: () => slowClientDisconnects.inc(),
    dependencyFailures: new Counter({
      name: "parley_dependency_failures_total",
      help: "Calls that failed because a dependency was away or did not answer in time",
      labelNames: ["dependency"],
      registers: [registry],
    }),
    dependencyOutages: new Counter({
      name: "parley_dependency_outages_total",
      help: "Outages of a dependency seen by this node (each logged once when it starts and once when it ends)",
      labelNames: ["dependency"],
      registers: [registry],
    }),
    dependencyUp: new Gauge({
      name: "parley_dependency_up",
      help: "1 while the dependency answers, 0 during an outage",
      labelNames: ["dependency"],
      registers: [registry],
    }),
    upgradeRefused: (reason) => refusedUpgrades.inc({ reason }),
  };
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

export interface MetricsAccess {
  /** METRICS_TOKEN: a scraper sending it as a bearer token may read from anywhere. */
  token: string | undefined;
  /** Whether TRUST_PROXY names any proxy (then `request.ip` is already the client behind it). */
  trustsProxies: boolean;
}

/**
 * GET /metrics for a scraper on the same machine or one holding METRICS_TOKEN; the counts
 * of a chat server are nobody else's business. "The same machine" is the client address
 * fastify resolved under TRUST_PROXY, never one the client wrote; and with no trusted proxy, a
 * request that carries a forwarding header came through some proxy, so its loopback socket
 * says nothing about who sent it.
 */
export function registerMetricsRoute(app: FastifyInstance, metrics: Metrics, access: MetricsAccess): void {
  app.get("/metrics", async (request, reply) => {
    const forwarded =
      request.headers["x-forwarded-for"] !== undefined || request.headers.forwarded !== undefined;
    const local = LOOPBACK.test(request.ip) && (access.trustsProxies || !forwarded);
    const authorised = access.token ? request.headers.authorization === `Bearer ${access.token}` : local;
    if (!authorised) return reply.code(403).send({ error: "forbidden", message: "Metrics are not public." });
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
