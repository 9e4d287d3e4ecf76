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
/** Sockets a frame may reach per change it carries before the next interval stretches. */
export const SOCKETS_PER_CHANGE = 20;
/** During a storm the interval stretches up to this many times the configured one. */
export const MAX_STRETCH = 10;

/**
 * Coalesces presence changes per room: when hundreds reconnect at once after a restart,
 * each room gets one `presence` frame per interval instead of one per reconnect. Every such
 * frame goes to everyone in the room, so the next frame waits longer after one that was dear
 * (decision 0053): in proportion to its changes past CALM_CHANGES_PER_BATCH, or to the sockets it
 * reached per change past SOCKETS_PER_CHANGE, up to MAX_STRETCH times the interval, counted from
 * that frame (a change long after it waits one interval, as always). While a big room fills,
 * each socket gets a presence frame a second instead of ten.
 * A join and a leave of the same user inside one interval cancel out.
 */
export class PresenceBatcher {
  private readonly pending = new Map<string, PendingChange>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** No frame goes before this time (ms since the epoch): the last frame's time plus its stretched interval. */
  private notBefore = 0;

  constructor(
    private readonly bus: Bus,
    private readonly delayMs = PRESENCE_BATCH_MS,
    /** This node's sockets in a room: who a frame for it reaches here. */
    private readonly reach: (roomId: string) => number = () => 0,
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
    let count = 0;
    let reached = 0;
    for (const [roomId, change] of changes) {
      const size = change.joined.size + change.left.size;
      count += size;
      if (size > 0) reached += this.reach(roomId);
    }
    const byChanges = count / CALM_CHANGES_PER_BATCH;
    const byReach = count > 0 ? reached / count / SOCKETS_PER_CHANGE : 1;
    const stretch = Math.min(MAX_STRETCH, Math.max(1, byChanges, byReach));
    this.notBefore = Date.now() + Math.round(this.delayMs * stretch);
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
    this.timer ??= setTimeout(
      () => {
        this.timer = undefined;
        this.flush().catch(() => undefined);
      },
      Math.max(this.delayMs, this.notBefore - Date.now()),
    );
    return change;
  }
}
