/**
 * Turns at a database's single connection (SQLite), first come first served. Kysely's own mutex
 * for single-connection dialects wakes every waiter on each release and all but one go back to
 * waiting: with thousands of queries queued (a reconnect storm) each release cost thousands of
 * wake-ups, 8% of the server's time in the storm's profile. Here a release wakes exactly the next.
 */
export class ConnectionQueue {
  private held = false;
  private waiting: Array<() => void> = [];
  /** Index of the next waiter: shifting a long array on every release would copy it each time. */
  private head = 0;

  /** Resolves once the caller holds the connection; call `release` exactly once after. */
  take(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting[this.head];
    if (!next) {
      this.held = false;
      this.waiting = [];
      this.head = 0;
      return;
    }
    this.waiting[this.head++] = noop;
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
    next();
  }
}

function noop(): void {}
