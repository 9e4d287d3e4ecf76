/** Clients told to come back are spread over this many seconds at most (a herd of a million). */
const MAX_WAIT_SECONDS = 300;

/**
 * How many WebSocket upgrades one node starts per second. Past the rate an upgrade is refused with
 * 503 before its session is looked up, and told when to come back (Retry-After). The waits handed
 * out form a queue: each refusal takes the next free place in the seconds ahead, which drain at the
 * admission rate. Whoever comes when a token is there goes ahead, returning or new; a returning client
 * that finds none queues again at the back. A herd dropped by a deploy therefore returns as a queue, one second's worth at a
 * time, instead of as the same herd one second later (see decision 0048).
 */
export class ConnectAdmission {
  private tokens: number;
  /** Refused clients promised a place in the seconds ahead and not yet due. */
  private queued = 0;
  private updatedAt: number;

  constructor(
    /** Upgrades admitted per second; also the burst admitted at once after a quiet spell. */
    readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = perSecond;
    this.updatedAt = now();
  }

  /** Undefined when the upgrade may go ahead; otherwise the whole seconds to wait before trying again. */
  admit(): number | undefined {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return undefined;
    }
    this.queued += 1;
    return this.waitFor(this.queued);
  }

  /** The wait the next refusal would get, if admission is closed right now; for the plain-HTTP probe. */
  currentWait(): number | undefined {
    this.refill();
    return this.tokens >= 1 ? undefined : this.waitFor(this.queued + 1);
  }

  /** Seconds until the `place`-th client in the queue is due. */
  private waitFor(place: number): number {
    return Math.min(MAX_WAIT_SECONDS, Math.max(1, Math.ceil(place / this.perSecond)));
  }

  private refill(): void {
    const now = this.now();
    const earned = ((now - this.updatedAt) / 1000) * this.perSecond;
    this.updatedAt = now;
    this.tokens = Math.min(this.perSecond, this.tokens + earned);
    // The queue moves at the admission rate: promises fall due as the seconds pass.
    this.queued = Math.max(0, this.queued - earned);
  }
}
