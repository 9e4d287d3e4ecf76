import type { Room } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { InProcessBus } from "../bus/in-process-bus.js";
import { InMemoryPresence } from "../presence/in-memory-presence.js";
import { ChatService } from "./chat-service.js";
import type { Bus, BusEvent } from "./ports.js";
import { ROOM_DETAILS_TTL_MS, RoomAccess } from "./room-access.js";
import {
  FakeMembershipStore,
  FakeMessageChangeStore,
  FakeMessageStore,
  FakeRoomStore,
  FakeUserDirectory,
  RecordingSubscriber,
  unlimited,
} from "./testing/fakes.js";

const ada = { id: "u-ada", name: "Ada", image: "/a.svg" };
const bob = { id: "u-bob", name: "Bob", image: "/b.svg" };

/** Counts the store calls an access check makes. */
class CountingRooms extends FakeRoomStore {
  byIdCalls = 0;
  override async byId(id: string) {
    this.byIdCalls++;
    return super.byId(id);
  }
}

function world() {
  const rooms = new CountingRooms();
  const messages = new FakeMessageStore(rooms);
  const memberships = new FakeMembershipStore(messages);
  let memberIdCalls = 0;
  const counted = Object.assign(Object.create(memberships) as FakeMembershipStore, {
    memberIds: async (roomId: string) => {
      memberIdCalls++;
      return memberships.memberIds(roomId);
    },
  });
  for (const user of [ada, bob]) messages.saveUser(user);
  return { rooms, messages, memberships: counted, reads: () => rooms.byIdCalls + memberIdCalls };
}

async function privateRoom(rooms: FakeRoomStore, id = "secret"): Promise<Room> {
  const room: Room = { id, slug: id, name: id, createdAt: 1, kind: "private", createdBy: ada.id };
  await rooms.tryCreate(room, id);
  return room;
}

describe("room access", () => {
  it("answers repeated checks from its cache, and reads again after forget", async () => {
    const { rooms, memberships, reads } = world();
    const room = await privateRoom(rooms);
    await memberships.add(ada.id, room.id);
    const access = new RoomAccess(rooms, memberships);
    expect(await access.canRead(ada.id, room.id)).toBe(true);
    expect(await access.canRead(bob.id, room.id)).toBe(false);
    const warm = reads();
    for (let i = 0; i < 100; i++) await access.canRead(ada.id, room.id);
    expect(reads()).toBe(warm);
    await memberships.add(bob.id, room.id);
    // Still the cached answer until the change is announced…
    expect(await access.canRead(bob.id, room.id)).toBe(false);
    access.forget(room.id);
    expect(await access.canRead(bob.id, room.id)).toBe(true);
  });

  it("never caches a member list read while a change arrived", async () => {
    const { rooms, memberships } = world();
    const room = await privateRoom(rooms);
    await memberships.add(bob.id, room.id);
    const access = new RoomAccess(rooms, memberships);
    let removeDuringRead = true;
    const racing = Object.assign(Object.create(memberships) as FakeMembershipStore, {
      memberIds: async (roomId: string) => {
        const ids = await memberships.memberIds(roomId);
        if (removeDuringRead) {
          // Bob is removed (and every node told) while this read is on its way back.
          removeDuringRead = false;
          await memberships.remove(bob.id, roomId);
          raced.forget(roomId);
        }
        return ids;
      },
    });
    const raced = new RoomAccess(rooms, racing);
    expect(await raced.canRead(bob.id, room.id)).toBe(false);
    expect(await access.canRead(bob.id, room.id)).toBe(false);
  });

  it("names a readable room from its cache, as it is now once a change is announced or a while has passed", async () => {
    const { rooms, memberships, reads } = world();
    const room = await privateRoom(rooms);
    await memberships.add(ada.id, room.id);
    let now = 0;
    const access = new RoomAccess(rooms, memberships, undefined, () => now);
    expect((await access.readable(ada.id, room.id))?.name).toBe("secret");
    expect(await access.readable(bob.id, room.id)).toBeUndefined();
    const warm = reads();
    const stored = rooms.rooms[0];
    if (!stored) throw new Error("no room");
    stored.name = "Renamed";
    expect((await access.readable(ada.id, room.id))?.name).toBe("secret");
    expect(reads()).toBe(warm);
    access.forget(room.id);
    expect((await access.readable(ada.id, room.id))?.name).toBe("Renamed");
    // A change whose announcement was lost (a bus outage) shows after ROOM_DETAILS_TTL_MS.
    stored.archived = true;
    now += ROOM_DETAILS_TTL_MS;
    expect((await access.readable(ada.id, room.id))?.archived).toBe(true);
    expect(await access.readable(bob.id, room.id)).toBeUndefined();
  });

  it("forgets a room whose name, topic or archived state every node is told changed", async () => {
    const rooms = new FakeRoomStore();
    const messages = new FakeMessageStore(rooms);
    const bus = new InProcessBus();
    const chat = new ChatService({
      messages,
      rooms,
      presence: new InMemoryPresence(),
      memberships: new FakeMembershipStore(messages),
      users: new FakeUserDirectory(messages),
      changes: new FakeMessageChangeStore(messages),
      bus,
      clock: { now: () => 1 },
      limits: { sends: unlimited, roomCreations: unlimited, changes: unlimited },
    });
    await chat.ensureDefaultRoom();
    const stored = rooms.rooms[0];
    if (!stored) throw new Error("no room");
    expect((await chat.access.readable(ada.id, stored.id))?.archived).toBeUndefined();
    stored.archived = true;
    await bus.publish({ kind: "room_updated", room: { ...stored, archived: true } });
    expect((await chat.access.readable(ada.id, stored.id))?.archived).toBe(true);
  });

  it("keeps at most the configured number of rooms", async () => {
    const { rooms, memberships, reads } = world();
    const access = new RoomAccess(rooms, memberships, 2);
    for (const id of ["a", "b", "c"]) await privateRoom(rooms, id);
    for (const id of ["a", "b", "c"]) await access.canRead(ada.id, id);
    const before = reads();
    await access.canRead(ada.id, "c");
    expect(reads()).toBe(before);
    await access.canRead(ada.id, "a");
    expect(reads()).toBeGreaterThan(before);
  });
});

describe("removal", () => {
  async function chatWithPrivateRoom() {
    const rooms = new FakeRoomStore();
    const messages = new FakeMessageStore(rooms);
    for (const user of [ada, bob]) messages.saveUser(user);
    const chat = new ChatService({
      messages,
      rooms,
      presence: new InMemoryPresence(),
      memberships: new FakeMembershipStore(messages),
      users: new FakeUserDirectory(messages),
      changes: new FakeMessageChangeStore(messages),
      bus: new InProcessBus(),
      clock: { now: () => 1 },
      limits: { sends: unlimited, roomCreations: unlimited, changes: unlimited },
    });
    const created = await chat.createRoom("Plans", ada.id, "private");
    if (created.kind !== "created") throw new Error(created.kind);
    await chat.membership.invite(ada.id, created.room.id, bob.id);
    return { chat, room: created.room, messages };
  }

  it("takes the removed person out of the room at once: no more messages, sends refused", async () => {
    const { chat, room } = await chatWithPrivateRoom();
    const bobSocket = new RecordingSubscriber("b1", bob);
    const bobIn = chat.participant(bobSocket);
    const adaIn = chat.participant(new RecordingSubscriber("a1", ada));
    await bobIn.join({ type: "join", roomId: room.id });
    await adaIn.join({ type: "join", roomId: room.id });
    await adaIn.send({ type: "send", roomId: room.id, clientId: "m1", body: "one" });
    expect(bobSocket.ofType("message").map((f) => f.message.body)).toEqual(["one"]);

    await chat.membership.remove(ada.id, room.id, bob.id);
    expect(bobSocket.ofType("room_removed")).toEqual([{ type: "room_removed", roomId: room.id }]);
    await adaIn.send({ type: "send", roomId: room.id, clientId: "m2", body: "two" });
    await bobIn.send({ type: "send", roomId: room.id, clientId: "b2", body: "still here" });
    expect(bobSocket.ofType("message").map((f) => f.message.body)).toEqual(["one"]);
    expect(bobSocket.ofType("activity")).toEqual([]);
    expect(bobSocket.ofType("error").map((f) => f.code)).toContain("not_in_room");
    await bobIn.join({ type: "join", roomId: room.id, since: 1 });
    expect(bobSocket.ofType("joined")).toHaveLength(1);
    expect(bobSocket.ofType("error").at(-1)).toMatchObject({ code: "unknown_room", roomId: room.id });
  });

  it("sends no snapshot to a join that was in flight when the removal came", async () => {
    const { chat, room, messages } = await chatWithPrivateRoom();
    const bobSocket = new RecordingSubscriber("b1", bob);
    const bobIn = chat.participant(bobSocket);
    // The join has checked access and reads its snapshot when the removal lands.
    let removedDuringSnapshot = false;
    const latest = messages.latest.bind(messages);
    messages.latest = async (roomId, limit) => {
      await chat.membership.remove(ada.id, room.id, bob.id);
      removedDuringSnapshot = true;
      return latest(roomId, limit);
    };
    await bobIn.join({ type: "join", roomId: room.id });
    expect(removedDuringSnapshot).toBe(true);
    expect(bobSocket.ofType("joined")).toEqual([]);
    expect(bobSocket.ofType("error").at(-1)).toMatchObject({ code: "unknown_room" });
    expect(await chat.deps.memberships.position(bob.id, room.id)).toBeUndefined();
  });
});

/** A bus that holds every event until told to deliver, as a slow Redis would. */
class HeldBus implements Bus {
  readonly available = true;
  private readonly handlers: Array<(event: BusEvent) => void> = [];
  private readonly held: BusEvent[] = [];
  holding = false;
  async publish(event: BusEvent) {
    if (this.holding) this.held.push(event);
    else for (const handler of this.handlers) handler(event);
  }
  subscribe(handler: (event: BusEvent) => void) {
    this.handlers.push(handler);
  }
  release() {
    this.holding = false;
    for (const event of this.held.splice(0)) for (const handler of this.handlers) handler(event);
  }
}

describe("a removal coming back over the bus", () => {
  it("does not evict the person again once they were invited back and rejoined meanwhile", async () => {
    const rooms = new FakeRoomStore();
    const messages = new FakeMessageStore(rooms);
    for (const user of [ada, bob]) messages.saveUser(user);
    const bus = new HeldBus();
    const chat = new ChatService({
      messages,
      rooms,
      presence: new InMemoryPresence(),
      memberships: new FakeMembershipStore(messages),
      users: new FakeUserDirectory(messages),
      changes: new FakeMessageChangeStore(messages),
      bus,
      clock: { now: () => 1 },
      limits: { sends: unlimited, roomCreations: unlimited, changes: unlimited },
    });
    const created = await chat.createRoom("Plans", ada.id, "private");
    if (created.kind !== "created") throw new Error(created.kind);
    const room = created.room;
    await chat.membership.invite(ada.id, room.id, bob.id);
    const bobSocket = new RecordingSubscriber("b1", bob);
    const bobIn = chat.participant(bobSocket);
    const adaIn = chat.participant(new RecordingSubscriber("a1", ada));
    await adaIn.join({ type: "join", roomId: room.id });

    bus.holding = true;
    await chat.membership.remove(ada.id, room.id, bob.id);
    await chat.membership.invite(ada.id, room.id, bob.id);
    await bobIn.join({ type: "join", roomId: room.id });
    expect(bobSocket.ofType("joined")).toHaveLength(1);
    bus.release();
    await adaIn.send({ type: "send", roomId: room.id, clientId: "after", body: "welcome back" });
    expect(bobSocket.ofType("message").map((f) => f.message.body)).toEqual(["welcome back"]);
  });
});
