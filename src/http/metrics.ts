import type { FastifyInstance } from "fastify";
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";

export interface Metrics {
  registry: Registry;
  slowClientDisconnects: Counter;
  /** Calls to a dependency (database, redis) that failed because it was away or did not answer in time. */
  dependencyFailures: Counter<"dependency">;
  /** Outages begun, per dependency. */
  dependencyOutages: Counter<"dependency">;
  /** 1 while the dependency answers, 0 during an outage. */
  dependencyUp: Gauge<"dependency">;
  /** WebSocket upgrades refused before any socket existed, by reason. */
  refusedUpgrades: Counter<"reason">;
}

/** Prometheus metrics of this process: the runtime's own plus Parley's. */
export function createMetrics(connectionCount: () => number): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "parley_" });
  new Gauge({
    name: "parley_websocket_connections",
    help: "Open WebSocket connections on this node",
    registers: [registry],
    collect() {
      this.set(connectionCount());
    },
  });
  return {
    registry,
    slowClientDisconnects: new Counter({
      name: "parley_slow_client_disconnects_total",
      help: "Sockets closed with 4008 because their send queue passed the cap",
      registers: [registry],
    }),
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
    refusedUpgrades: new Counter({
      name: "parley_websocket_upgrades_refused_total",
      help: "WebSocket upgrades refused with an HTTP status, by reason",
      labelNames: ["reason"],
      registers: [registry],
    }),
  };
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/**
 * GET /metrics for a scraper on the same machine or one holding METRICS_TOKEN; the counts
 * of a chat server are nobody else's business.
 */
export function registerMetricsRoute(
  app: FastifyInstance,
  metrics: Metrics,
  token: string | undefined,
): void {
  app.get("/metrics", async (request, reply) => {
    const authorised = token
      ? request.headers.authorization === `Bearer ${token}`
      : LOOPBACK.test(request.ip);
    if (!authorised) return reply.code(403).send({ error: "forbidden", message: "Metrics are not public." });
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
