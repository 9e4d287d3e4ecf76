/**
 * How many WebSockets each person holds on this node, against a cap. A slot is taken before
 * the upgrade completes (so a burst of parallel upgrades cannot overshoot) and given back when
 * the TCP connection closes, whichever way it ends.
 */
export class ConnectionSlots {
  private readonly held = new Map<string, number>();

  constructor(readonly limit: number) {}

  /** Takes a slot for the user; false when they already hold `limit`. */
  take(userId: string): boolean {
    const count = this.held.get(userId) ?? 0;
    if (count >= this.limit) return false;
    this.held.set(userId, count + 1);
    return true;
  }

  release(userId: string): void {
    const count = this.held.get(userId) ?? 0;
    if (count <= 1) this.held.delete(userId);
    else this.held.set(userId, count - 1);
  }

  count(userId: string): number {
    return this.held.get(userId) ?? 0;
  }
}
