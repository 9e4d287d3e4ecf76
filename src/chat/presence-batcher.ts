import type { Member } from "@parley/protocol";
import type { Bus } from "./ports.js";

interface PendingChange {
  joined: Map<string, Member>;
  left: Set<string>;
}

/** How long presence changes of a room are gathered before one frame goes out. */
export const PRESENCE_BATCH_MS = 100;

/**
 * Coalesces presence changes per room: when hundreds reconnect at once after a restart,
 * each room gets one `presence` frame per interval instead of one per reconnect. A join and
 * a leave of the same user inside one interval cancel out.
 */
export class PresenceBatcher {
  private readonly pending = new Map<string, PendingChange>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly bus: Bus,
    private readonly delayMs = PRESENCE_BATCH_MS,
  ) {}

  joined(roomId: string, member: Member): void {
    const change = this.change(roomId);
    if (change.left.delete(member.id)) return;
    change.joined.set(member.id, member);
  }

  left(roomId: string, userId: string): void {
    const change = this.change(roomId);
    if (change.joined.delete(userId)) return;
    change.left.add(userId);
  }

  /** Publishes everything gathered so far, now. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const changes = [...this.pending];
    this.pending.clear();
    await Promise.all(
      changes
        .filter(([, change]) => change.joined.size > 0 || change.left.size > 0)
        .map(([roomId, change]) =>
          this.bus.publish({
            kind: "presence",
            roomId,
            joined: [...change.joined.values()],
            left: [...change.left],
          }),
        ),
    );
  }

  private change(roomId: string): PendingChange {
    let change = this.pending.get(roomId);
    if (!change) {
      change = { joined: new Map(), left: new Set() };
      this.pending.set(roomId, change);
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush().catch(() => undefined);
    }, this.delayMs);
    return change;
  }
}
