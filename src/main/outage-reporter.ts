import type { FastifyBaseLogger } from "fastify";
import { isDependencyUnavailable } from "../chat/unavailable.js";
import type { OutageReporter } from "../health/dependency-health.js";
import type { Metrics } from "../http/metrics.js";

/**
 * Outages in the log and the metrics: one warning when a dependency goes away and one line when
 * it is back (with how long and how many calls failed); every failed call in between is only
 * counted, so an outage under load does not write a line per request.
 */
export function outageReporter(log: FastifyBaseLogger, metrics: Metrics): OutageReporter {
  return {
    failed(dependency) {
      metrics.dependencyFailures.inc({ dependency });
    },
    wentAway(dependency, error) {
      metrics.dependencyOutages.inc({ dependency });
      metrics.dependencyUp.set({ dependency }, 0);
      log.warn(
        { dependency, reason: describe(error) },
        `${dependency} is unavailable; requests that need it are answered "unavailable" until it is back`,
      );
    },
    cameBack(dependency, downForMs, failures) {
      metrics.dependencyUp.set({ dependency }, 1);
      log.info({ dependency, downForMs, failures }, `${dependency} is available again`);
    },
  };
}

function describe(error: unknown): string {
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === "string" ? `${code}: ${cause.message}` : cause.message;
  }
  return String(cause);
}

/**
 * better-auth's log lines in our log. It logs every failed database call of its own (a line per
 * sign-in or session check during an outage); those are dropped, as the outage is logged once.
 */
export function betterAuthLog(log: FastifyBaseLogger) {
  return (level: "debug" | "info" | "warn" | "error", message: string, ...args: unknown[]): void => {
    if (args.some(isDependencyUnavailable)) return;
    const err = args.find((arg) => arg instanceof Error);
    log[level]({ component: "better-auth", ...(err ? { err } : {}) }, message);
  };
}
