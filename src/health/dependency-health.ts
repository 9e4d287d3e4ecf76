import { DependencyUnavailableError } from "../chat/unavailable.js";

/** What an outage looks like from outside: one line when it starts, one when it ends, counters in between. */
export interface OutageReporter {
  /** Every failed call (counted, never logged one by one). */
  failed(dependency: string): void;
  wentAway(dependency: string, error: unknown): void;
  cameBack(dependency: string, downForMs: number, failures: number): void;
}

/**
 * Whether one dependency answers right now, as seen by the calls made to it. The first failure
 * marks it down and the first success after that marks it up again, so an outage is reported
 * once however many calls fail during it.
 */
export class DependencyHealth {
  private downSince: number | undefined;
  private failuresWhileDown = 0;

  constructor(
    readonly name: string,
    private readonly reporter: OutageReporter,
    private readonly now: () => number = Date.now,
  ) {}

  get up(): boolean {
    return this.downSince === undefined;
  }

  /** Records a failed call and returns the error callers should see. */
  failed(error: unknown): DependencyUnavailableError {
    this.reporter.failed(this.name);
    if (this.downSince === undefined) {
      this.downSince = this.now();
      this.failuresWhileDown = 1;
      this.reporter.wentAway(this.name, error);
    } else {
      this.failuresWhileDown++;
    }
    return error instanceof DependencyUnavailableError
      ? error
      : new DependencyUnavailableError(this.name, { cause: error });
  }

  succeeded(): void {
    if (this.downSince === undefined) return;
    const downForMs = this.now() - this.downSince;
    this.downSince = undefined;
    this.reporter.cameBack(this.name, downForMs, this.failuresWhileDown);
  }
}

/** An OutageReporter that counts nothing and says nothing (one-off tools, tests). */
export const silentOutages: OutageReporter = {
  failed: () => undefined,
  wentAway: () => undefined,
  cameBack: () => undefined,
};

/** The first of `dependencies` that is down right now, if any. */
export function firstDown(dependencies: Array<DependencyHealth | undefined>): DependencyHealth | undefined {
  return dependencies.find((dependency) => dependency !== undefined && !dependency.up);
}
