import type { Member, Message, Room } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { NotifyService, RoomNotReadableError } from "./notify-service.js";
import type { NotifyDependencies } from "./ports.js";
import { RoomAccess } from "./room-access.js";
import { FakeMembershipStore, FakeMessageStore, FakeRoomStore } from "./testing/fakes.js";

const ben: Member = { id: "u-ben", name: "Ben", image: "/b.svg" };

/** RoomAccess as the rooms-access slice will narrow it: the secret room is readable by nobody here. */
class NarrowedAccess extends RoomAccess {
  override async canRead(userId: string, roomId: string) {
    return roomId !== "r-secret" && super.canRead(userId, roomId);
  }
  override async readableRoomIds(userId: string) {
    return (await super.readableRoomIds(userId)).filter((id) => id !== "r-secret");
  }
}

describe("NotifyService asks RoomAccess on every read", () => {
  const rooms = new FakeRoomStore();
  const open: Room = {
    id: "r-open",
    slug: "open",
    name: "Open",
    createdAt: 1,
    kind: "open",
    createdBy: null,
  };
  const secret: Room = {
    id: "r-secret",
    slug: "secret",
    name: "Secret",
    createdAt: 1,
    kind: "private",
    createdBy: null,
  };
  rooms.rooms.push({ ...open, nameKey: "open" }, { ...secret, nameKey: "secret" });
  const mentionIn = (roomId: string, seq: number): Message => ({
    roomId,
    seq,
    clientId: `c${seq}`,
    author: ben,
    body: "@Eve hi",
    createdAt: seq,
  });
  const deps: NotifyDependencies = {
    members: { members: async () => [ben], count: async () => 1 },
    mentions: {
      record: async () => undefined,
      unread: async () => [],
      // Rooms filtered as the SQL adapter does: only those in `roomIds`.
      forget: async () => undefined,
      recent: async (_userId, roomIds) =>
        [mentionIn("r-secret", 2), mentionIn("r-open", 1)].filter((m) => roomIds.includes(m.roomId)),
    },
    levels: { get: async () => undefined, set: async () => undefined, inRoom: async () => new Map() },
    push: { send: async () => undefined },
    typing: { pass: async () => ({ allowed: true }) },
    settings: { roomMentionMaxMembers: 10 },
  };
  const service = new NotifyService(
    deps,
    rooms,
    new NarrowedAccess(rooms, new FakeMembershipStore(new FakeMessageStore(rooms))),
  );

  it("refuses a room's notification level to someone who may not read it, by id", async () => {
    await expect(service.level("u-eve", "r-secret")).rejects.toBeInstanceOf(RoomNotReadableError);
    await expect(service.setLevel("u-eve", "r-secret", "everything")).rejects.toBeInstanceOf(
      RoomNotReadableError,
    );
    await expect(service.level("u-eve", "no-such-room")).rejects.toBeInstanceOf(RoomNotReadableError);
    expect(await service.level("u-eve", "r-open")).toEqual({ level: "mentions", isDefault: true });
  });

  it("lists mentions only in rooms the person may read", async () => {
    const listed = await service.recentMentions("u-eve", 10);
    expect(listed.map(({ room, message }) => [room.slug, message.seq])).toEqual([["open", 1]]);
  });
});
