import type { Member, Message, NotificationLevel, PushPayload, Room } from "@parley/protocol";
import { beforeEach, describe, expect, it } from "vitest";
import { InProcessBus } from "../bus/in-process-bus.js";
import { InMemoryPresence } from "../presence/in-memory-presence.js";
import { excerpt, MessageNotifier, notificationReason } from "./message-notifier.js";
import type {
  BusEvent,
  MentionStore,
  NotificationLevelStore,
  NotifyDependencies,
  PushSender,
} from "./ports.js";
import { RoomAccess } from "./room-access.js";
import { FakeMembershipStore, FakeMessageStore, FakeRoomStore } from "./testing/fakes.js";

const aiko: Member = { id: "u-aiko", name: "Aiko", image: "/a.svg" };
const ben: Member = { id: "u-ben", name: "Ben", image: "/b.svg" };

class Levels implements NotificationLevelStore {
  readonly chosen = new Map<string, NotificationLevel>();
  async get(userId: string, roomId: string) {
    return this.chosen.get(`${userId}/${roomId}`);
  }
  async set(userId: string, roomId: string, level: NotificationLevel) {
    this.chosen.set(`${userId}/${roomId}`, level);
  }
  async inRoom(roomId: string) {
    const levels = new Map<string, NotificationLevel>();
    for (const [key, level] of this.chosen) {
      const [userId, room] = key.split("/");
      if (room === roomId && userId) levels.set(userId, level);
    }
    return levels;
  }
}

class Mentions implements MentionStore {
  readonly rows: Array<{ roomId: string; seq: number; userId: string }> = [];
  async record(roomId: string, seq: number, userIds: readonly string[]) {
    for (const userId of userIds) this.rows.push({ roomId, seq, userId });
  }
  async unread() {
    return [];
  }
  async recent() {
    return [];
  }
  async forget(roomId: string, seq: number) {
    for (let i = this.rows.length - 1; i >= 0; i--) {
      const row = this.rows[i];
      if (row && row.roomId === roomId && row.seq === seq) this.rows.splice(i, 1);
    }
  }
}

describe("notifications by level (the matrix of decision 0037)", () => {
  it.each([
    // level, direct conversation, mentioned → reason
    ["everything", true, false, "direct"],
    ["everything", false, true, "mention"],
    ["everything", false, false, "everything"],
    ["mentions", true, false, undefined],
    ["mentions", false, true, "mention"],
    ["mentions", false, false, undefined],
    ["nothing", true, false, undefined],
    ["nothing", false, true, undefined],
    ["nothing", false, false, undefined],
  ] as const)("%s × direct %s × mentioned %s → %s", (level, direct, mentioned, reason) => {
    expect(notificationReason(level, mentioned, direct)).toBe(reason);
  });
});

describe("MessageNotifier", () => {
  let rooms: FakeRoomStore;
  let levels: Levels;
  let mentions: Mentions;
  let pushes: Array<{ userIds: readonly string[]; payload: PushPayload }>;
  let events: BusEvent[];
  let notifier: MessageNotifier;
  let access: RoomAccess;

  const open: Room = {
    id: "r-open",
    slug: "open",
    name: "Open",
    createdAt: 1,
    kind: "open",
    createdBy: null,
  };
  const direct: Room = {
    id: "r-dm",
    slug: "dm-aiko-ben",
    name: "Aiko, Ben",
    createdAt: 1,
    kind: "direct",
    createdBy: null,
  };
  let seq = 0;
  const message = (roomId: string, body: string, author = aiko): Message => ({
    roomId,
    seq: ++seq,
    clientId: `c${seq}`,
    author,
    body,
    createdAt: 1000,
  });

  beforeEach(async () => {
    rooms = new FakeRoomStore();
    rooms.rooms.push({ ...open, nameKey: "open" }, { ...direct, nameKey: "aiko, ben" });
    levels = new Levels();
    mentions = new Mentions();
    pushes = [];
    events = [];
    const bus = new InProcessBus();
    bus.subscribe((event) => events.push(event));
    const push: PushSender = {
      send: async (userIds, payload) => {
        pushes.push({ userIds, payload });
      },
    };
    const deps: NotifyDependencies = {
      members: { members: async () => [aiko, ben], count: async () => 2 },
      mentions,
      levels,
      push,
      typing: { pass: async () => ({ allowed: true }) },
      settings: { roomMentionMaxMembers: 1 },
    };
    // Aiko and Ben are the direct conversation's members, so RoomAccess lets them read it.
    const memberships = new FakeMembershipStore(new FakeMessageStore(rooms));
    for (const person of [aiko, ben]) await memberships.add(person.id, direct.id);
    access = new RoomAccess(rooms, memberships);
    notifier = new MessageNotifier(deps, new InMemoryPresence(), bus, access);
  });

  const notified = () =>
    events.flatMap((event) =>
      event.kind === "notify" ? event.userIds.map((userId) => [userId, event.notification.reason]) : [],
    );

  it.each([
    ["everything", "plain", [["u-ben", "everything"]]],
    ["everything", "mention", [["u-ben", "mention"]]],
    ["everything", "direct", [["u-ben", "direct"]]],
    ["mentions", "plain", []],
    ["mentions", "mention", [["u-ben", "mention"]]],
    ["mentions", "direct", []],
    ["nothing", "plain", []],
    ["nothing", "mention", []],
    ["nothing", "direct", []],
  ] as const)("Ben at %s, a %s message from Aiko → %j", async (level, kind, expected) => {
    const roomId = kind === "direct" ? direct.id : open.id;
    await levels.set(ben.id, roomId, level);
    await notifier.stored(message(roomId, kind === "mention" ? "@Ben look" : "just news"));
    expect(notified()).toEqual(expected);
    expect(pushes.flatMap((push) => push.userIds)).toEqual(expected.map(([userId]) => userId));
  });

  it("uses the room kind's default: everything in a direct conversation, mentions in a room", async () => {
    await notifier.stored(message(direct.id, "hello"));
    await notifier.stored(message(open.id, "hello"));
    expect(notified()).toEqual([["u-ben", "direct"]]);
  });

  it("stores mentions per person, never the author's own, and links the push to the message", async () => {
    const sent = message(open.id, "@Aiko @Ben see this");
    await notifier.stored(sent);
    expect(mentions.rows).toEqual([{ roomId: open.id, seq: sent.seq, userId: ben.id }]);
    expect(events.find((event) => event.kind === "mention")).toEqual({
      kind: "mention",
      roomId: open.id,
      seq: sent.seq,
      userIds: [ben.id],
    });
    expect(pushes[0]?.payload).toEqual({
      title: "Aiko · #Open",
      body: "@Aiko @Ben see this",
      url: `/r/open?m=${sent.seq}`,
      tag: `${open.id}:${sent.seq}`,
    });
  });

  it("resolves an edited message again and forgets a deleted one's mentions (hooks for the edits slice)", async () => {
    const sent = message(open.id, "@Ben first");
    await notifier.stored(sent);
    await notifier.edited({ ...sent, body: "no mention any more" });
    expect(mentions.rows).toEqual([]);
    await notifier.edited({ ...sent, body: "@Ben again" });
    expect(mentions.rows).toEqual([{ roomId: open.id, seq: sent.seq, userId: ben.id }]);
    // An edit badges again but notifies nobody a second time.
    expect(events.filter((event) => event.kind === "notify")).toHaveLength(1);
    await notifier.deleted(open.id, sent.seq);
    expect(mentions.rows).toEqual([]);
  });

  it("refuses @room where the room is larger than the setting allows", async () => {
    expect(await notifier.refuseRoomWide(open.id, "@room lunch")).toEqual({
      max: 1,
      members: 2,
      mention: "@room",
    });
    expect(await notifier.refuseRoomWide(open.id, "lunch at noon")).toBeUndefined();
  });

  it("reads a room's levels once, and again after a change announced on any node", async () => {
    let levelReads = 0;
    const inRoom = levels.inRoom.bind(levels);
    levels.inRoom = async (roomId: string) => {
      levelReads++;
      return inRoom(roomId);
    };
    await notifier.stored(message(open.id, "first"));
    await notifier.stored(message(open.id, "second"));
    expect(levelReads).toBe(1);
    expect(notified()).toEqual([]);

    // Ben chose everything (on some node), and the bus said so: the next message reaches him.
    await levels.set(ben.id, open.id, "everything");
    notifier.forgetLevels(open.id);
    const third = message(open.id, "third");
    await notifier.stored(third);
    expect(notified()).toEqual([["u-ben", "everything"]]);
    expect(pushes.at(-1)?.payload.title).toBe("Aiko · #Open");

    // Renamed (a room_updated on the bus makes RoomAccess forget it): notifications name it anew.
    const stored = rooms.rooms.find((room) => room.id === open.id);
    if (stored) stored.name = "Lobby";
    access.forget(open.id);
    await notifier.stored(message(open.id, "fourth"));
    expect(pushes.at(-1)?.payload.title).toBe("Aiko · #Lobby");
  });

  it("cuts long bodies for a notification on a code point boundary", () => {
    const long = `${"😀".repeat(200)}`;
    expect(Array.from(excerpt(long))).toHaveLength(141);
    expect(excerpt("  many\n\nlines  ")).toBe("many lines");
  });
});
