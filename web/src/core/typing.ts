import { type Member, TYPING_INTERVAL_MS, TYPING_SHOWN_MS } from "@parley/protocol";

interface Typist {
  readonly user: Member;
  readonly until: number;
}

/**
 * Who is typing in which room, as `typing` frames said: each person until TYPING_SHOWN_MS after
 * their last frame, or until their message arrives. Also throttles this client's own frames.
 */
export class TypingTracker {
  private readonly rooms = new Map<string, Typist[]>();
  private readonly lastSent = new Map<string, number>();
  private view: Readonly<Record<string, readonly Member[]>> = {};

  /** People typing per room, in the order they started; rooms with nobody typing are absent. */
  get typing(): Readonly<Record<string, readonly Member[]>> {
    return this.view;
  }

  /** Someone typed in a room; true when what is shown changed. */
  typed(roomId: string, user: Member, now: number): boolean {
    const typists = this.rooms.get(roomId) ?? [];
    const known = typists.some((typist) => typist.user.id === user.id);
    const next = typists.filter((typist) => typist.user.id !== user.id);
    const at = known ? typists.findIndex((typist) => typist.user.id === user.id) : next.length;
    next.splice(at, 0, { user, until: now + TYPING_SHOWN_MS });
    this.rooms.set(roomId, next);
    return this.refresh() || !known;
  }

  /** Their message arrived: they are no longer typing it. */
  stopped(roomId: string, userId: string): boolean {
    const typists = this.rooms.get(roomId);
    if (!typists?.some((typist) => typist.user.id === userId)) return false;
    this.rooms.set(
      roomId,
      typists.filter((typist) => typist.user.id !== userId),
    );
    return this.refresh();
  }

  /** Drops everyone whose time is up; true when what is shown changed. */
  expire(now: number): boolean {
    let changed = false;
    for (const [roomId, typists] of this.rooms) {
      const live = typists.filter((typist) => typist.until > now);
      if (live.length !== typists.length) {
        this.rooms.set(roomId, live);
        changed = true;
      }
    }
    return changed && this.refresh();
  }

  /** When the next person stops showing, if anyone is shown. */
  nextExpiry(): number | undefined {
    let next: number | undefined;
    for (const typists of this.rooms.values())
      for (const typist of typists) if (next === undefined || typist.until < next) next = typist.until;
    return next;
  }

  /** Whether this client may tell the room it is typing now (at most once per TYPING_INTERVAL_MS). */
  maySend(roomId: string, now: number): boolean {
    const last = this.lastSent.get(roomId);
    if (last !== undefined && now - last < TYPING_INTERVAL_MS) return false;
    this.lastSent.set(roomId, now);
    return true;
  }

  /** Our message went: the next keystroke is a new bout of typing. */
  sent(roomId: string): void {
    this.lastSent.delete(roomId);
  }

  /** After a reconnect nobody's typing is known any more. */
  clear(): void {
    const had = Object.keys(this.view).length > 0;
    this.rooms.clear();
    if (had) this.refresh();
  }

  private refresh(): boolean {
    const next: Record<string, readonly Member[]> = {};
    for (const [roomId, typists] of this.rooms) {
      if (typists.length === 0) this.rooms.delete(roomId);
      else next[roomId] = typists.map((typist) => typist.user);
    }
    const before = this.view;
    const same =
      Object.keys(before).length === Object.keys(next).length &&
      Object.entries(next).every(([roomId, users]) => {
        const old = before[roomId];
        return old?.length === users.length && old.every((user, index) => user.id === users[index]?.id);
      });
    if (!same) this.view = next;
    return !same;
  }
}
