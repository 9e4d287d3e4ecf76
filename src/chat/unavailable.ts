/**
 * A dependency (database, Redis) did not answer or refused the connection. Adapters throw it
 * in place of their driver's errors, so the domain can answer `unavailable` (retry later)
 * rather than `internal` (a bug) without knowing any driver.
 */
export class DependencyUnavailableError extends Error {
  constructor(
    readonly dependency: string,
    options?: { cause?: unknown },
  ) {
    super(`${dependency} is unavailable`, options);
    this.name = "DependencyUnavailableError";
  }
}

export function isDependencyUnavailable(error: unknown): error is DependencyUnavailableError {
  return error instanceof DependencyUnavailableError;
}
