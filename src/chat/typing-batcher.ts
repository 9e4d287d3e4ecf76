import type { Member } from "@parley/protocol";
import type { Bus } from "./ports.js";

/** How long typing notices of a room are gathered before one frame goes out (see decision 0037). */
export const TYPING_BATCH_MS = 1000;

/**
 * Coalesces typing notices per room on this node: however many people type in a room, its sockets
 * get at most one `typing` frame per interval from this node, naming all of them. In a room of
 * 1,000 that bounds typing at 1,000 deliveries per second per node instead of 1,000 per typist.
 */
export class TypingBatcher {
  private readonly pending = new Map<string, Map<string, Member>>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly bus: Bus,
    private readonly delayMs = TYPING_BATCH_MS,
  ) {}

  typed(roomId: string, user: Member): void {
    let users = this.pending.get(roomId);
    if (!users) {
      users = new Map();
      this.pending.set(roomId, users);
    }
    users.set(user.id, user);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush().catch(() => undefined);
    }, this.delayMs);
  }

  /** Publishes everything gathered so far, now. A lost notice (bus away) is only a missed hint. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const rooms = [...this.pending];
    this.pending.clear();
    await Promise.all(
      rooms.map(([roomId, users]) =>
        this.bus.publish({ kind: "typing", roomId, users: [...users.values()] }),
      ),
    );
  }
}
