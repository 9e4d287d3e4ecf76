import type { Message } from "@parley/protocol";

/** How long a message waits for a missing predecessor before it is delivered anyway. */
export const REORDER_WAIT_MS = 500;

/**
 * Puts a room's messages back in sequence order and drops repeats. Commits happen in order,
 * but their publications can overtake each other (two connections, two nodes); a message
 * that arrives early waits briefly for the ones before it. If one never comes (its node
 * died between commit and publish), the client sees the jump and resumes from its last seq.
 */
export class RoomSequencer<T extends { seq: number } = Message> {
  private expected: number | undefined;
  private readonly early = new Map<number, T>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly deliver: (message: T) => void,
    private readonly waitMs = REORDER_WAIT_MS,
  ) {}

  accept(message: T): void {
    if (this.expected === undefined || message.seq === this.expected) {
      this.emit(message);
      this.drain();
      return;
    }
    if (message.seq < this.expected || this.early.has(message.seq)) return;
    this.early.set(message.seq, message);
    this.timer ??= setTimeout(() => this.giveUpWaiting(), this.waitMs);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  private emit(message: T): void {
    this.expected = message.seq + 1;
    this.deliver(message);
  }

  private drain(): void {
    for (let next = this.expected === undefined ? undefined : this.early.get(this.expected); next; ) {
      this.early.delete(next.seq);
      this.emit(next);
      next = this.early.get(next.seq + 1);
    }
    if (this.early.size === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private giveUpWaiting(): void {
    this.timer = undefined;
    const lowest = Math.min(...this.early.keys());
    const message = this.early.get(lowest);
    if (!message) return;
    this.early.delete(lowest);
    this.emit(message);
    this.drain();
    if (this.early.size > 0) this.timer = setTimeout(() => this.giveUpWaiting(), this.waitMs);
  }
}
