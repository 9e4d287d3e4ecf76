import type { Member } from "@parley/protocol";
import type { Bus } from "./ports.js";

interface PendingChange {
  joined: Map<string, Member>;
  left: Set<string>;
}

/** How long presence changes of a room are gathered before one frame goes out. */
export const PRESENCE_BATCH_MS = 100;
/** Changes per interval up to which the interval stays as configured. */
export const CALM_CHANGES_PER_BATCH = 100;
/** During a storm the interval stretches up to this many times the configured one. */
export const MAX_STRETCH = 10;

/**
 * Coalesces presence changes per room: when hundreds reconnect at once after a restart,
 * each room gets one `presence` frame per interval instead of one per reconnect. Every such
 * frame goes to everyone in the room, so while thousands come back at once (more than
 * CALM_CHANGES_PER_BATCH changes in one interval) the next interval is stretched in proportion,
 * up to MAX_STRETCH times: one write per socket per second instead of ten (decision 0053).
 * A join and a leave of the same user inside one interval cancel out.
 */
export class PresenceBatcher {
  private readonly pending = new Map<string, PendingChange>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The wait before the next frame, stretched after a busy interval. */
  private nextDelayMs: number;

  constructor(
    private readonly bus: Bus,
    private readonly delayMs = PRESENCE_BATCH_MS,
  ) {
    this.nextDelayMs = delayMs;
  }

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
    let count = 0;
    for (const [, change] of changes) count += change.joined.size + change.left.size;
    const stretch = Math.min(MAX_STRETCH, Math.max(1, count / CALM_CHANGES_PER_BATCH));
    this.nextDelayMs = Math.round(this.delayMs * stretch);
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
    }, this.nextDelayMs);
    return change;
  }
}
