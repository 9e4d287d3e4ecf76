/**
 * Which rooms the current socket has joined, as far as the server's answers tell. Reset on every
 * new socket: the server forgets all of this when a socket closes. Joins and leaves are answered
 * later, and the user may switch rooms faster than answers arrive, so expected answers are
 * counted rather than assumed to match the latest wish.
 */
export class Memberships {
  /** Rooms asked for on this socket, and whether the answer to the latest join has come. */
  private readonly rooms = new Map<string, { joined: boolean }>();
  private readonly pendingJoins = new Map<string, number>();
  private readonly pendingLeaves = new Map<string, number>();
  /** Rooms whose join was refused on this socket; not asked for again until the user acts. */
  private readonly refused = new Set<string>();

  reset(): void {
    this.rooms.clear();
    this.pendingJoins.clear();
    this.pendingLeaves.clear();
    this.refused.clear();
  }

  /** Asked for (joined or on the way). */
  has(roomId: string): boolean {
    return this.rooms.has(roomId);
  }

  /** The server answered the latest join: sends to the room can go. */
  isJoined(roomId: string): boolean {
    return this.rooms.get(roomId)?.joined ?? false;
  }

  isRefused(roomId: string): boolean {
    return this.refused.has(roomId);
  }

  isJoinPending(roomId: string): boolean {
    return this.pendingJoins.has(roomId);
  }

  asked(): string[] {
    return [...this.rooms.keys()];
  }

  joinSent(roomId: string): void {
    if (!this.rooms.has(roomId)) this.rooms.set(roomId, { joined: false });
    increment(this.pendingJoins, roomId);
  }

  /** A re-join of a joined room (to fill a hole): the room stays usable meanwhile. */
  resyncSent(roomId: string): void {
    increment(this.pendingJoins, roomId);
  }

  onJoined(roomId: string): void {
    const room = this.rooms.get(roomId);
    // Only the answer to the latest join makes the room usable for sends.
    const answersLatestJoin = decrement(this.pendingJoins, roomId) && !this.pendingJoins.has(roomId);
    if (room && answersLatestJoin) room.joined = true;
  }

  /** We no longer want the room; `sent` says whether the leave frame went out. */
  leaveSent(roomId: string, sent: boolean): void {
    this.rooms.delete(roomId);
    if (sent) increment(this.pendingLeaves, roomId);
  }

  onLeft(roomId: string): void {
    if (decrement(this.pendingLeaves, roomId)) return;
    // Not an answer to our leave: the server removed us, so stop treating the room as joined.
    this.rooms.delete(roomId);
  }

  /** Our idea of membership was wrong (not_in_room): ask again. */
  forget(roomId: string): void {
    this.rooms.delete(roomId);
    this.pendingJoins.delete(roomId);
  }

  /** The server refused the join (unknown_room): do not ask again on this socket. */
  refuse(roomId: string): void {
    this.forget(roomId);
    this.refused.add(roomId);
  }

  /** The user acted (sent or retried): the room may be asked for again. */
  allow(roomId: string): void {
    this.refused.delete(roomId);
  }
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** Consumes one expected answer; false when none was expected. */
function decrement(counts: Map<string, number>, key: string): boolean {
  const count = counts.get(key);
  if (count === undefined) return false;
  if (count <= 1) counts.delete(key);
  else counts.set(key, count - 1);
  return true;
}
