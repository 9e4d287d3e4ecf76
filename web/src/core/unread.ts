/**
 * Where the user stands in a member room. `lastReadSeq` is what this client knows was read: the
 * server's position, or further when this client has shown newer messages and not yet told it.
 */
export interface RoomUnread {
  readonly lastSeq: number;
  readonly lastReadSeq: number;
}

/** Unread messages in a room; exact, since seqs have no gaps. */
export function unreadCount(unread: RoomUnread | undefined): number {
  return unread ? Math.max(0, unread.lastSeq - unread.lastReadSeq) : 0;
}

export function totalUnread(unread: Readonly<Record<string, RoomUnread>>): number {
  let total = 0;
  for (const room of Object.values(unread)) total += unreadCount(room);
  return total;
}

export interface UnreadUpdate {
  /** The newest seq known to exist in the room. */
  readonly lastSeq?: number;
  /** The read position the server reported. */
  readonly serverRead?: number;
  /** Only sources that know both positions (unread_state, joined) may start counting a room. */
  readonly create?: boolean;
}

/**
 * Read tracking: every position only ever moves forward, so late, repeated and reordered frames
 * cannot make a count go back up. Rooms the user is not a member of have no count at all.
 */
export class ReadTracker {
  private state: Readonly<Record<string, RoomUnread>> = {};
  /** The read position the server last reported per room. */
  private readonly serverReads = new Map<string, number>();
  /** The newest seq this client has shown the user per room, the position `read` reports. */
  private readonly seen = new Map<string, number>();
  /** Read positions sent on the current socket, so each is sent once. */
  private readonly sent = new Map<string, number>();

  get unread(): Readonly<Record<string, RoomUnread>> {
    return this.state;
  }

  /** Raises what is known of a room; true when its standing changed. */
  update(roomId: string, { lastSeq, serverRead, create = false }: UnreadUpdate): boolean {
    const current = this.state[roomId];
    if (!current && !create) return false;
    if (serverRead !== undefined && serverRead > (this.serverReads.get(roomId) ?? -1)) {
      this.serverReads.set(roomId, serverRead);
    }
    const lastReadSeq = Math.max(
      current?.lastReadSeq ?? 0,
      this.serverReads.get(roomId) ?? 0,
      this.seen.get(roomId) ?? 0,
    );
    const next = { lastSeq: Math.max(current?.lastSeq ?? 0, lastSeq ?? 0, lastReadSeq), lastReadSeq };
    if (current && current.lastSeq === next.lastSeq && current.lastReadSeq === next.lastReadSeq) return false;
    this.state = { ...this.state, [roomId]: next };
    return true;
  }

  /** The user has seen `roomId` up to `seq`; false when that was already known. */
  noteSeen(roomId: string, seq: number): boolean {
    if (seq <= (this.seen.get(roomId) ?? 0)) return false;
    this.seen.set(roomId, seq);
    this.update(roomId, {});
    return true;
  }

  /** A new socket: the server forgot what this one was told. */
  forgetSent(): void {
    this.sent.clear();
  }

  /** Positions seen here that the server does not have yet and that were not sent on this socket. */
  readsToSend(): Array<{ roomId: string; seq: number }> {
    const reads: Array<{ roomId: string; seq: number }> = [];
    for (const [roomId, seq] of this.seen) {
      if (seq <= (this.serverReads.get(roomId) ?? -1) || seq <= (this.sent.get(roomId) ?? -1)) continue;
      reads.push({ roomId, seq });
    }
    return reads;
  }

  markSent(roomId: string, seq: number): void {
    this.sent.set(roomId, seq);
  }
}
