import type { FastifyInstance } from "fastify";
import { isDependencyUnavailable } from "../chat/unavailable.js";

/** Seconds a client is told to wait before retrying while a dependency is away. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * A route that needed the database or Redis while it was away answers 503 with Retry-After
 * (the outage itself is logged once by the dependency's health, not once per request). Every
 * other error goes on to fastify's own handler.
 */
export function registerUnavailableErrors(app: FastifyInstance): void {
  app.setErrorHandler((error, _request, reply) => {
    if (!isDependencyUnavailable(error)) throw error;
    return reply
      .code(503)
      .header("retry-after", String(UNAVAILABLE_RETRY_AFTER_SECONDS))
      .send({
        error: "unavailable",
        message: `The server cannot reach its ${error.dependency} right now. Try again shortly.`,
      });
  });
}
