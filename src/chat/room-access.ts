import type { Room, RoomKind } from "@parley/protocol";
import { ForgettableCache } from "./forgettable-cache.js";
import type { MembershipStore, RoomStore } from "./ports.js";

/** Rooms read per page while listing every readable room. */
const ROOM_PAGE = 500;
/** Rooms whose kind and (for private and direct ones) member ids one node keeps in memory. */
export const DEFAULT_ACCESS_CACHE_ROOMS = 10_000;
/**
 * How long a room is answered from memory. Every change is announced on the bus and forgotten at
 * once (`forget`); this bounds how long one lost to a bus outage can show.
 */
export const ROOM_DETAILS_TTL_MS = 5000;

interface CachedRoom {
  kind: RoomKind;
  /** Member ids; only for private rooms and direct conversations (anyone may read an open room). */
  members?: Set<string>;
  /** The room as read, for `readable` (a join's answer names it) and notifications. */
  room: Room;
}

/**
 * Who may read which room: the one place every read path asks (join, history, room by slug,
 * search, files, reactions…). An open room is readable by anyone signed in; a private room or a
 * direct conversation only by its members. Everyone else is told it does not exist (404,
 * `unknown_room`): no content, no member list, not even its name.
 *
 * Answers come from a per-node cache of each room's kind and, for private and direct rooms, its
 * member ids, so a check costs no database read once the room is known; the room itself is kept
 * beside them, so a join (thousands at once after a deploy) reads no room row either. Every change
 * of membership, and every change of a room's name, topic or archived state, calls `forget` on
 * every node (the bus carries it), and a load that raced with a change is not kept
 * (ForgettableCache). Unknown rooms are never cached.
 */
export class RoomAccess {
  private readonly cache: ForgettableCache<CachedRoom>;

  constructor(
    private readonly rooms: RoomStore,
    private readonly memberships: MembershipStore,
    maxRooms = DEFAULT_ACCESS_CACHE_ROOMS,
    now: () => number = Date.now,
  ) {
    this.cache = new ForgettableCache(maxRooms, ROOM_DETAILS_TTL_MS, now);
  }

  /** True when the user may see the room's name, members and messages. */
  async canRead(userId: string, roomId: string): Promise<boolean> {
    return (await this.readable(userId, roomId)) !== undefined;
  }

  /** The room when the user may read it; undefined when it does not exist or they may not (the same to them). */
  async readable(userId: string, roomId: string): Promise<Room | undefined> {
    const entry = await this.load(roomId);
    if (!entry || !(entry.kind === "open" || (entry.members?.has(userId) ?? false))) return undefined;
    return entry.room;
  }

  /** The room as this node knows it, whoever asks: for what the server itself says of it (notifications). */
  async room(roomId: string): Promise<Room | undefined> {
    return (await this.load(roomId))?.room;
  }

  /** Whether the user is a member (not merely a reader of an open room); undefined for an unknown room. */
  async isMember(userId: string, roomId: string): Promise<boolean | undefined> {
    const room = await this.load(roomId);
    if (!room) return undefined;
    if (room.members) return room.members.has(userId);
    return (await this.memberships.memberIds(roomId)).includes(userId);
  }

  /** Ids of every room the user may read: cross-room reads (search) filter by it. */
  async readableRoomIds(userId: string): Promise<string[]> {
    const ids: string[] = [];
    let after: { nameKey: string; id: string } | undefined;
    for (;;) {
      const page = await this.rooms.page(after, ROOM_PAGE);
      for (const room of page) ids.push(room.id);
      const last = page.at(-1);
      if (page.length < ROOM_PAGE || !last) break;
      after = { nameKey: last.nameKey, id: last.id };
    }
    // Open rooms came above; the user's memberships add the private and direct ones.
    for (const room of await this.memberships.roomsOf(userId, Number.MAX_SAFE_INTEGER)) {
      if (room.kind !== "open") ids.push(room.id);
    }
    return ids;
  }

  /** The room's membership or settings changed (here or on another node): the next check reads it again. */
  forget(roomId: string): void {
    this.cache.forget(roomId);
  }

  private load(roomId: string): Promise<CachedRoom | undefined> {
    return this.cache.get(roomId, async () => {
      const room = await this.rooms.byId(roomId);
      if (!room) return undefined;
      return room.kind === "open"
        ? { kind: room.kind, room }
        : { kind: room.kind, members: new Set(await this.memberships.memberIds(roomId)), room };
    });
  }
}
