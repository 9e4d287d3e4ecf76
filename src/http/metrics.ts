import type { FastifyInstance } from "fastify";
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { GatewayMetrics } from "../gateway/websocket-gateway.js";

export interface Metrics extends GatewayMetrics {
  registry: Registry;
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
  return {
    registry,
    connectionOpened: () => connections.inc(),
    connectionClosed: () => connections.dec(),
    slowClientClosed: () => slowClientDisconnects.inc(),
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
