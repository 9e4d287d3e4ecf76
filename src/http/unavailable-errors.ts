import type { FastifyInstance } from "fastify";
import { DependencyUnavailableError, isDependencyUnavailable } from "../chat/unavailable.js";

/** Seconds a client is told to wait before retrying while a dependency is away. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * A route that needed the database or Redis while it was away answers 503 with Retry-After
 * (the outage itself is logged once by the dependency's health, not once per request). Every
 * other error goes on to fastify's own handler.
 */
export function registerUnavailableErrors(app: FastifyInstance, down: DownDependency): void {
  app.setErrorHandler((error, _request, reply) => {
    const unavailable = asUnavailable(error, down);
    if (!unavailable) throw error;
    return reply
      .code(503)
      .header("retry-after", String(UNAVAILABLE_RETRY_AFTER_SECONDS))
      .send({
        error: "unavailable",
        message: `The server cannot reach its ${unavailable.dependency} right now. Try again shortly.`,
      });
  });
}

/** The name of a dependency that is down right now, if any. */
export type DownDependency = () => string | undefined;

/**
 * The error as an outage, when it is one: ours, or a server error of better-auth's while a
 * dependency is down (better-auth wraps what its database calls threw in its own 500).
 */
export function asUnavailable(error: unknown, down: DownDependency): DependencyUnavailableError | undefined {
  if (isDependencyUnavailable(error)) return error;
  const dependency = down();
  if (dependency === undefined || !(error instanceof Error) || error.name !== "APIError") return undefined;
  const statusCode = (error as { statusCode?: unknown }).statusCode;
  return typeof statusCode === "number" && statusCode >= 500
    ? new DependencyUnavailableError(dependency, { cause: error })
    : undefined;
}
