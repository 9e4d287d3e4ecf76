import type { RoomStore } from "./ports.js";

/** Rooms read per page while listing every readable room. */
const ROOM_PAGE = 500;

/**
 * Who may read which room: the one place every read path asks (join, history, search, files,
 * reactions…). Today every room is open, so a room is readable by anyone signed in once it
 * exists; private rooms and direct conversations narrow it here and nowhere else.
 */
export class RoomAccess {
  constructor(private readonly rooms: RoomStore) {}

  /** True when the user may see the room's name, members and messages. */
  async canRead(_userId: string, roomId: string): Promise<boolean> {
    return (await this.rooms.byId(roomId)) !== undefined;
  }

  /** Ids of every room the user may read: cross-room reads (search) filter by it. */
  async readableRoomIds(_userId: string): Promise<string[]> {
    const ids: string[] = [];
    let after: { nameKey: string; id: string } | undefined;
    for (;;) {
      const page = await this.rooms.page(after, ROOM_PAGE);
      for (const room of page) ids.push(room.id);
      const last = page.at(-1);
      if (page.length < ROOM_PAGE || !last) return ids;
      after = { nameKey: last.nameKey, id: last.id };
    }
  }
}
