import { randomBytes } from "node:crypto";
import type { Member, Message, Room } from "@parley/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toMember, type UserRecord } from "../../src/chat/member.js";
import type {
  MembershipStore,
  MessageChangeStore,
  MessageStore,
  NewMessage,
  RoomStanding,
  RoomStore,
} from "../../src/chat/ports.js";
import { roomNameKey } from "../../src/chat/room-name.js";

/** What a room made before kinds existed is: open, by no one. */
const OPEN = { kind: "open", createdBy: null } as const;

/** One set of the chat domain's storage ports, sharing one store, as the contract drives them. */
export interface RepositoryFixture {
  messages: MessageStore;
  rooms: RoomStore;
  memberships: MembershipStore;
  /** The change log over the same messages (edits, issue 15 part A). */
  changes: MessageChangeStore;
  /** Creates or updates a user (sign-up, a changed name or picture); authors and members must exist. */
  saveUser(user: UserRecord): Promise<void>;
  close(): Promise<void>;
}

/**
 * What the domain relies on from MessageStore, RoomStore and MembershipStore, written once and
 * run against the unit tests' fakes and every real database, so a fake that drifts fails here.
 * One fixture serves the whole suite: each test makes its own users and rooms, so a real
 * database is created and migrated once per run, not per test.
 */
export function repositoryContract(name: string, open: () => Promise<RepositoryFixture>): void {
  describe(`storage ports contract: ${name}`, () => {
    let store: RepositoryFixture;
    const run = randomBytes(3).toString("hex");
    let counter = 0;
    const unique = (label: string) => `${label}-${run}-${(counter++).toString(36)}`;

    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
    });

    async function newUser(name = "Ada", image: string | null = "/a.svg"): Promise<Member> {
      const user = { id: unique("user"), name, image };
      await store.saveUser(user);
      return toMember(user);
    }

    async function newRoom(createdAt = Date.now()): Promise<Room> {
      const id = unique("room");
      const room: Room = { id, slug: id, name: `Room ${id}`, createdAt, kind: "open", createdBy: null };
      expect(await store.rooms.tryCreate(room, roomNameKey(room.name))).toBe(true);
      return room;
    }

    function sent(room: Room, author: Member, clientId: string, body = clientId): NewMessage {
      return { roomId: room.id, author, clientId, body, createdAt: 1_760_000_000_000 + counter };
    }

    /** Appends `count` messages one after another; returns them. */
    async function fill(room: Room, author: Member, count: number): Promise<Message[]> {
      const stored: Message[] = [];
      for (let i = 0; i < count; i++) {
        stored.push(
          (await store.messages.append(sent(room, author, unique("c"), `message ${i + 1}`))).message,
        );
      }
      return stored;
    }

    const seqs = (messages: Message[]) => messages.map((message) => message.seq);
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

    describe("messages", () => {
      it("numbers each room's messages 1, 2, 3… on its own and returns what was stored", async () => {
        const [ada, a, b] = [await newUser(), await newRoom(), await newRoom()];
        const first = await store.messages.append(sent(a, ada, unique("c"), "hello"));
        const other = await store.messages.append(sent(b, ada, unique("c"), "elsewhere"));
        const second = await store.messages.append(sent(a, ada, unique("c"), "again"));
        expect([first.message.seq, second.message.seq, other.message.seq]).toEqual([1, 2, 1]);
        expect(first.duplicate).toBe(false);
        expect(await store.messages.latest(a.id, 10)).toEqual([first.message, second.message]);
        expect(await store.messages.latest(b.id, 10)).toEqual([other.message]);
      });

      it("keeps bodies, times and authors exactly as sent", async () => {
        const [ada, room] = [await newUser("Ada Lovelace 🧮"), await newRoom()];
        const body = "Grüße 👋🏽 日本語 <b>&amp;</b> \"quoted\" 'single' \\ back\nline two\ttab";
        const { message } = await store.messages.append({
          roomId: room.id,
          author: ada,
          clientId: unique("c"),
          body,
          createdAt: 1_765_432_109_876,
        });
        expect(message).toMatchObject({ body, createdAt: 1_765_432_109_876, author: ada, seq: 1 });
        const [read] = await store.messages.latest(room.id, 1);
        expect(read).toEqual(message);
        expect(typeof read?.createdAt).toBe("number");
        expect(typeof read?.seq).toBe("number");
      });

      it("gives an author without a picture the local avatar on stored messages", async () => {
        const [plain, room] = [await newUser("Plain", null), await newRoom()];
        expect(plain.image).toMatch(/^\/api\/avatars\//);
        await store.messages.append(sent(room, plain, unique("c")));
        expect((await store.messages.latest(room.id, 1))[0]?.author).toEqual(plain);
      });

      it("shows history with the author's current name and picture", async () => {
        const [ada, room] = [
          await newUser("Ada", "https://avatars.githubusercontent.com/u/1?v=1"),
          await newRoom(),
        ];
        await fill(room, ada, 2);
        await store.saveUser({
          id: ada.id,
          name: "Ada Lovelace",
          image: "https://avatars.githubusercontent.com/u/1?v=2",
        });
        const renamed = {
          id: ada.id,
          name: "Ada Lovelace",
          image: "https://avatars.githubusercontent.com/u/1?v=2",
        };
        const pages = [
          await store.messages.latest(room.id, 5),
          await store.messages.before(room.id, 3, 5),
          await store.messages.after(room.id, 0, 5),
        ];
        for (const page of pages) expect(page.map((message) => message.author)).toEqual([renamed, renamed]);
        // A retry of an earlier send hands back the stored message as history shows it.
        const first = pages[0]?.[0] as Message;
        const retry = await store.messages.append({ ...sent(room, ada, first.clientId), author: ada });
        expect(retry).toEqual({ message: first, duplicate: true });
      });

      it("stores a resent clientId once: the retry gets the first copy back and no number is used", async () => {
        const [ada, room] = [await newUser(), await newRoom()];
        const clientId = unique("c");
        const first = await store.messages.append(sent(room, ada, clientId, "original"));
        const retry = await store.messages.append({
          ...sent(room, ada, clientId, "edited retry"),
          createdAt: 1,
        });
        expect(retry).toEqual({ message: first.message, duplicate: true });
        const next = await store.messages.append(sent(room, ada, unique("c")));
        expect(next.message.seq).toBe(2);
        expect(seqs(await store.messages.latest(room.id, 10))).toEqual([1, 2]);
        expect((await store.messages.latest(room.id, 10))[0]?.body).toBe("original");
      });

      it("scopes clientIds to their author: another author may use the same one", async () => {
        const [ada, bob, room] = [await newUser("Ada"), await newUser("Bob"), await newRoom()];
        const clientId = unique("c");
        const mine = await store.messages.append(sent(room, ada, clientId, "from ada"));
        const theirs = await store.messages.append(sent(room, bob, clientId, "from bob"));
        expect(theirs.duplicate).toBe(false);
        expect([mine.message.seq, theirs.message.seq]).toEqual([1, 2]);
      });

      it("treats a clientId reused by its author in another room as the same send", async () => {
        const [ada, a, b] = [await newUser(), await newRoom(), await newRoom()];
        const clientId = unique("c");
        const first = await store.messages.append(sent(a, ada, clientId));
        const elsewhere = await store.messages.append(sent(b, ada, clientId));
        expect(elsewhere).toEqual({ message: first.message, duplicate: true });
        expect(await store.messages.latest(b.id, 10)).toEqual([]);
        // The other room's numbering is untouched by the refused copy.
        expect((await store.messages.append(sent(b, ada, unique("c")))).message.seq).toBe(1);
      });

      it("compares clientIds exactly: case and accents make different sends", async () => {
        const [ada, room] = [await newUser(), await newRoom()];
        const base = unique("c");
        const results = await Promise.all(
          [`${base}-abc`, `${base}-ABC`, `${base}-abé`, `${base}-abe`].map((clientId) =>
            store.messages.append(sent(room, ada, clientId)),
          ),
        );
        expect(results.map((result) => result.duplicate)).toEqual([false, false, false, false]);
      });

      it("numbers appends started together in the order they were made, without gaps", async () => {
        const [ada, bob, room] = [await newUser("Ada"), await newUser("Bob"), await newRoom()];
        const inputs = Array.from({ length: 30 }, (_, i) =>
          sent(room, i % 2 ? bob : ada, unique("c"), `m${i}`),
        );
        const results = await Promise.all(inputs.map((input) => store.messages.append(input)));
        expect(results.map((result) => result.message.seq)).toEqual(range(1, 30));
        expect((await store.messages.latest(room.id, 50)).map((message) => message.body)).toEqual(
          inputs.map((input) => input.body),
        );
      });

      it("numbers several rooms' appends started together, each room in call order", async () => {
        const [ada, a, b, c] = [await newUser(), await newRoom(), await newRoom(), await newRoom()];
        const rooms = [c, a, b];
        const inputs = Array.from({ length: 24 }, (_, i) =>
          sent(rooms[i % 3] as Room, ada, unique("c"), `m${i}`),
        );
        const results = await Promise.all(inputs.map((input) => store.messages.append(input)));
        for (const room of rooms) {
          const mine = results.filter((result) => result.message.roomId === room.id);
          expect(mine.map((result) => result.message.seq)).toEqual(range(1, 8));
          expect(seqs(await store.messages.latest(room.id, 10))).toEqual(range(1, 8));
        }
      });

      it("stores one copy when the same send arrives twice at once", async () => {
        const [ada, room] = [await newUser(), await newRoom()];
        const clientId = unique("c");
        const [a, between, b] = await Promise.all([
          store.messages.append(sent(room, ada, clientId, "first")),
          store.messages.append(sent(room, ada, unique("c"), "between")),
          store.messages.append(sent(room, ada, clientId, "second")),
        ]);
        expect([a?.duplicate, b?.duplicate]).toEqual([false, true]);
        expect(b?.message).toEqual(a?.message);
        expect([a?.message.seq, between?.message.seq]).toEqual([1, 2]);
        expect(seqs(await store.messages.latest(room.id, 10))).toEqual([1, 2]);
        expect((await store.messages.append(sent(room, ada, unique("c")))).message.seq).toBe(3);
      });

      it("pages the newest messages oldest first", async () => {
        const [ada, room, empty] = [await newUser(), await newRoom(), await newRoom()];
        await fill(room, ada, 7);
        expect(seqs(await store.messages.latest(room.id, 3))).toEqual([5, 6, 7]);
        expect(seqs(await store.messages.latest(room.id, 100))).toEqual(range(1, 7));
        expect(await store.messages.latest(room.id, 0)).toEqual([]);
        expect(await store.messages.latest(empty.id, 10)).toEqual([]);
        expect(await store.messages.latest(unique("no-such-room"), 10)).toEqual([]);
      });

      it("pages backwards with before: the newest of the older ones, oldest first", async () => {
        const [ada, room] = [await newUser(), await newRoom()];
        await fill(room, ada, 7);
        expect(seqs(await store.messages.before(room.id, 6, 3))).toEqual([3, 4, 5]);
        expect(seqs(await store.messages.before(room.id, 3, 10))).toEqual([1, 2]);
        expect(seqs(await store.messages.before(room.id, 100, 2))).toEqual([6, 7]);
        expect(await store.messages.before(room.id, 1, 10)).toEqual([]);
        expect(await store.messages.before(room.id, 6, 0)).toEqual([]);
        // Walking back page by page sees every message once.
        const walked: number[] = [];
        let page = await store.messages.latest(room.id, 3);
        while (page.length > 0) {
          walked.unshift(...seqs(page));
          page = await store.messages.before(room.id, page[0]?.seq ?? 0, 3);
        }
        expect(walked).toEqual(range(1, 7));
      });

      it("pages forwards with after: the oldest of the newer ones, oldest first", async () => {
        const [ada, room] = [await newUser(), await newRoom()];
        await fill(room, ada, 7);
        expect(seqs(await store.messages.after(room.id, 0, 3))).toEqual([1, 2, 3]);
        expect(seqs(await store.messages.after(room.id, 4, 10))).toEqual([5, 6, 7]);
        expect(await store.messages.after(room.id, 7, 10)).toEqual([]);
        expect(await store.messages.after(room.id, 70, 10)).toEqual([]);
        expect(await store.messages.after(room.id, 2, 0)).toEqual([]);
      });

      it("refuses a message for a room that does not exist", async () => {
        const ada = await newUser();
        const nowhere: Room = { id: unique("no-such-room"), slug: "x", name: "x", createdAt: 0, ...OPEN };
        await expect(store.messages.append(sent(nowhere, ada, unique("c")))).rejects.toThrow();
        expect(await store.messages.latest(nowhere.id, 10)).toEqual([]);
      });

      it("never mixes rooms in a page", async () => {
        const [ada, a, b] = [await newUser(), await newRoom(), await newRoom()];
        await fill(a, ada, 3);
        await fill(b, ada, 4);
        for (const page of [
          await store.messages.latest(a.id, 10),
          await store.messages.before(a.id, 10, 10),
          await store.messages.after(a.id, 0, 10),
        ]) {
          expect(page.map((message) => [message.roomId, message.seq])).toEqual([
            [a.id, 1],
            [a.id, 2],
            [a.id, 3],
          ]);
        }
      });
    });

    describe("rooms", () => {
      it("creates a room and finds it by id and by slug", async () => {
        const id = unique("room");
        const room: Room = {
          id,
          slug: `${id}-日本語の部屋`,
          name: "Café ☕ talk",
          createdAt: 1_765_432_109_876,
          ...OPEN,
        };
        expect(await store.rooms.tryCreate(room, roomNameKey(room.name))).toBe(true);
        expect(await store.rooms.byId(room.id)).toEqual(room);
        expect(await store.rooms.bySlug(room.slug)).toEqual(room);
        expect(await store.rooms.byId(unique("missing"))).toBeUndefined();
        expect(await store.rooms.bySlug(unique("missing"))).toBeUndefined();
      });

      it("refuses a taken slug and keeps the first room", async () => {
        const room = await newRoom();
        const rival: Room = {
          id: unique("room"),
          slug: room.slug,
          name: "Rival",
          createdAt: room.createdAt + 1,
          ...OPEN,
        };
        expect(await store.rooms.tryCreate(rival, roomNameKey(rival.name))).toBe(false);
        expect(await store.rooms.bySlug(room.slug)).toEqual(room);
        expect(await store.rooms.byId(rival.id)).toBeUndefined();
      });

      it("refuses a taken id and keeps the first room", async () => {
        const room = await newRoom();
        const rival: Room = {
          id: room.id,
          slug: unique("slug"),
          name: "Rival",
          createdAt: room.createdAt,
          ...OPEN,
        };
        expect(await store.rooms.tryCreate(rival, roomNameKey(rival.name))).toBe(false);
        expect(await store.rooms.byId(room.id)).toEqual(room);
        expect(await store.rooms.bySlug(rival.slug)).toBeUndefined();
      });

      it("lets exactly one of two rooms racing for a slug win", async () => {
        const slug = unique("slug");
        const results = await Promise.all(
          ["one", "two"].map((name) =>
            store.rooms.tryCreate(
              { id: unique("room"), slug, name, createdAt: 1, ...OPEN },
              roomNameKey(name),
            ),
          ),
        );
        expect(results.sort()).toEqual([false, true]);
      });

      it("matches slugs exactly: case makes a different slug", async () => {
        const room = await newRoom();
        expect(await store.rooms.bySlug(room.slug.toUpperCase())).toBeUndefined();
      });

      it("pages rooms in name order, by id among equal names, never skipping or repeating one", async () => {
        const tag = unique("list");
        const made: Room[] = [
          { id: `${tag}-1`, slug: `${tag}-charlie`, name: `${tag} Charlie`, createdAt: 2_000, ...OPEN },
          { id: `${tag}-2`, slug: `${tag}-bravo`, name: `${tag} bravo`, createdAt: 1_000, ...OPEN },
          { id: `${tag}-4`, slug: `${tag}-alpha-2`, name: `${tag} Alpha`, createdAt: 3_000, ...OPEN },
          { id: `${tag}-3`, slug: `${tag}-alpha`, name: `${tag} alpha`, createdAt: 1_000, ...OPEN },
        ];
        for (const room of made) expect(await store.rooms.tryCreate(room, roomNameKey(room.name))).toBe(true);
        expect((await store.rooms.byNameKey(roomNameKey(`${tag} CHARLIE`)))?.id).toBe(`${tag}-1`);
        const seen: string[] = [];
        let after: { nameKey: string; id: string } | undefined;
        for (;;) {
          const page = await store.rooms.page(after, 2);
          if (page.length === 0) break;
          seen.push(...page.map((room) => room.id));
          const last = page.at(-1);
          after = last && { nameKey: last.nameKey, id: last.id };
        }
        expect(new Set(seen).size).toBe(seen.length);
        expect(seen.filter((id) => id.startsWith(tag))).toEqual([
          `${tag}-3`,
          `${tag}-4`,
          `${tag}-2`,
          `${tag}-1`,
        ]);
      });
    });

    describe("memberships", () => {
      const byRoom = (standings: RoomStanding[]) =>
        [...standings].sort((a, b) => (a.roomId < b.roomId ? -1 : 1));

      it("starts a new member at the room's end: history before joining is not unread", async () => {
        const [ada, bob, room, quiet] = [await newUser(), await newUser(), await newRoom(), await newRoom()];
        await fill(room, ada, 3);
        expect(await store.memberships.ensure(bob.id, room.id)).toBe(3);
        expect(await store.memberships.ensure(bob.id, quiet.id)).toBe(0);
        expect(byRoom(await store.memberships.standings(bob.id))).toEqual(
          byRoom([
            { roomId: room.id, lastSeq: 3, lastReadSeq: 3 },
            { roomId: quiet.id, lastSeq: 0, lastReadSeq: 0 },
          ]),
        );
      });

      it("refuses a membership of a room that does not exist", async () => {
        const ada = await newUser();
        await expect(store.memberships.ensure(ada.id, unique("no-such-room"))).rejects.toThrow();
        expect(await store.memberships.standings(ada.id)).toEqual([]);
      });

      it("keeps an existing member's position when ensured again", async () => {
        const [ada, bob, room] = [await newUser(), await newUser(), await newRoom()];
        expect(await store.memberships.ensure(bob.id, room.id)).toBe(0);
        await fill(room, ada, 2);
        expect(await store.memberships.ensure(bob.id, room.id)).toBe(0);
        expect(await store.memberships.standings(bob.id)).toEqual([
          { roomId: room.id, lastSeq: 2, lastReadSeq: 0 },
        ]);
      });

      it("makes one membership when ensured twice at once", async () => {
        const [ada, bob, room] = [await newUser(), await newUser(), await newRoom()];
        await fill(room, ada, 1);
        expect(
          await Promise.all([
            store.memberships.ensure(bob.id, room.id),
            store.memberships.ensure(bob.id, room.id),
          ]),
        ).toEqual([1, 1]);
        expect(await store.memberships.standings(bob.id)).toEqual([
          { roomId: room.id, lastSeq: 1, lastReadSeq: 1 },
        ]);
      });

      it("follows the room's newest message in standings", async () => {
        const [ada, room] = [await newUser(), await newRoom()];
        await store.memberships.ensure(ada.id, room.id);
        await fill(room, ada, 4);
        expect(await store.memberships.standings(ada.id)).toEqual([
          { roomId: room.id, lastSeq: 4, lastReadSeq: 0 },
        ]);
      });

      it("moves the read position forward only, and never past the room's end", async () => {
        const [ada, room] = [await newUser(), await newRoom()];
        await store.memberships.ensure(ada.id, room.id);
        await fill(room, ada, 5);
        expect(await store.memberships.markRead(ada.id, room.id, 2)).toBe(2);
        expect(await store.memberships.markRead(ada.id, room.id, 4)).toBe(4);
        expect(await store.memberships.markRead(ada.id, room.id, 3)).toBe(4);
        expect(await store.memberships.markRead(ada.id, room.id, 99)).toBe(5);
        expect(await store.memberships.markRead(ada.id, room.id, 0)).toBe(5);
        expect(await store.memberships.standings(ada.id)).toEqual([
          { roomId: room.id, lastSeq: 5, lastReadSeq: 5 },
        ]);
        expect(await store.memberships.ensure(ada.id, room.id)).toBe(5);
      });

      it("keeps the furthest position when reads race", async () => {
        const [ada, room] = [await newUser(), await newRoom()];
        await store.memberships.ensure(ada.id, room.id);
        await fill(room, ada, 6);
        await Promise.all([2, 6, 4, 1].map((seq) => store.memberships.markRead(ada.id, room.id, seq)));
        expect(await store.memberships.ensure(ada.id, room.id)).toBe(6);
      });

      it("does not make a member of someone who only marks a room read", async () => {
        const [ada, bob, room] = [await newUser(), await newUser(), await newRoom()];
        await fill(room, ada, 3);
        expect(await store.memberships.markRead(bob.id, room.id, 2)).toBe(0);
        expect(await store.memberships.standings(bob.id)).toEqual([]);
        expect(await store.memberships.ensure(bob.id, room.id)).toBe(3);
      });

      it("keeps each user's standings their own", async () => {
        const [ada, bob, carol, a, b] = [
          await newUser("Ada"),
          await newUser("Bob"),
          await newUser("Carol"),
          await newRoom(),
          await newRoom(),
        ];
        await store.memberships.ensure(ada.id, a.id);
        await store.memberships.ensure(bob.id, a.id);
        await store.memberships.ensure(bob.id, b.id);
        await fill(a, carol, 2);
        await store.memberships.markRead(ada.id, a.id, 2);
        expect(await store.memberships.standings(ada.id)).toEqual([
          { roomId: a.id, lastSeq: 2, lastReadSeq: 2 },
        ]);
        expect(byRoom(await store.memberships.standings(bob.id))).toEqual(
          byRoom([
            { roomId: a.id, lastSeq: 2, lastReadSeq: 0 },
            { roomId: b.id, lastSeq: 0, lastReadSeq: 0 },
          ]),
        );
        expect(await store.memberships.standings(carol.id)).toEqual([]);
      });

      it("keeps standings apart for ids that share a prefix or hold a slash", async () => {
        const [ada, room, other] = [await newUser("Ada"), await newRoom(), await newRoom()];
        const nested = { id: `${ada.id}/${room.id}`, name: "Nested", image: null };
        await store.saveUser(nested);
        await store.memberships.ensure(nested.id, other.id);
        await store.memberships.ensure(ada.id, room.id);
        expect(await store.memberships.standings(ada.id)).toEqual([
          { roomId: room.id, lastSeq: 0, lastReadSeq: 0 },
        ]);
        expect(await store.memberships.standings(nested.id)).toEqual([
          { roomId: other.id, lastSeq: 0, lastReadSeq: 0 },
        ]);
      });
    });

    // --- rooms-access ---
    describe("room kinds and members", () => {
      async function newRoomOf(kind: Room["kind"], createdBy: string, directKey?: string): Promise<Room> {
        const id = unique("room");
        const room: Room = {
          id,
          slug: id,
          name: kind === "direct" ? "" : `Kind ${id}`,
          createdAt: 1,
          kind,
          createdBy,
        };
        expect(await store.rooms.tryCreate(room, roomNameKey(room.name), directKey)).toBe(true);
        return room;
      }

      it("keeps a room's kind and creator, and lists only open rooms to browse", async () => {
        const ada = await newUser();
        const hidden = await newRoomOf("private", ada.id);
        expect(await store.rooms.byId(hidden.id)).toEqual(hidden);
        expect(await store.rooms.bySlug(hidden.slug)).toEqual(hidden);
        expect(await store.rooms.byNameKey(roomNameKey(hidden.name))).toBeUndefined();
        const listed: string[] = [];
        let after: { nameKey: string; id: string } | undefined;
        for (let pages = 0; pages < 1000; pages++) {
          const page = await store.rooms.page(after, 100);
          listed.push(...page.map((room) => room.id));
          const last = page.at(-1);
          if (!last) break;
          after = { nameKey: last.nameKey, id: last.id };
        }
        expect(listed).not.toContain(hidden.id);
      });

      it("finds a direct conversation by its key, and refuses a second with the same key", async () => {
        const ada = await newUser();
        const key = unique("direct-key");
        const direct = await newRoomOf("direct", ada.id, key);
        expect(await store.rooms.byDirectKey(key)).toEqual(direct);
        expect(await store.rooms.byDirectKey(unique("other-key"))).toBeUndefined();
        const rival: Room = { ...direct, id: unique("room"), slug: unique("slug") };
        expect(await store.rooms.tryCreate(rival, "", key)).toBe(false);
        // Rooms without a key never collide on it.
        await newRoomOf("private", ada.id);
        await newRoomOf("private", ada.id);
      });

      it("adds, lists, pages and removes members", async () => {
        const [ada, bob, cid] = [await newUser("Ada"), await newUser("Bob"), await newUser("Cid")];
        const room = await newRoomOf("private", ada.id);
        expect(await store.memberships.add(ada.id, room.id)).toEqual({ lastReadSeq: 0, added: true });
        expect(await store.memberships.add(ada.id, room.id)).toEqual({ lastReadSeq: 0, added: false });
        await store.memberships.add(bob.id, room.id);
        await store.memberships.add(cid.id, room.id);
        expect((await store.memberships.memberIds(room.id)).sort()).toEqual([ada.id, bob.id, cid.id].sort());
        const first = await store.memberships.members(room.id, undefined, 2);
        expect(first.map((m) => m.name)).toEqual(["Ada", "Bob"]);
        const last = first.at(-1) as Member;
        const rest = await store.memberships.members(room.id, { name: last.name, id: last.id }, 2);
        expect(rest).toEqual([cid]);
        expect((await store.memberships.roomsOf(bob.id, 100)).map((r) => r.id)).toEqual([room.id]);
        // RoomAccess.readableRoomIds asks for every membership at once.
        expect((await store.memberships.roomsOf(bob.id, Number.MAX_SAFE_INTEGER)).map((r) => r.id)).toEqual([
          room.id,
        ]);
        expect(await store.memberships.position(bob.id, room.id)).toBe(0);
        expect(await store.memberships.remove(bob.id, room.id)).toBe(true);
        expect(await store.memberships.remove(bob.id, room.id)).toBe(false);
        expect(await store.memberships.position(bob.id, room.id)).toBeUndefined();
        expect(await store.memberships.roomsOf(bob.id, 100)).toEqual([]);
        expect((await store.memberships.memberIds(room.id)).sort()).toEqual([ada.id, cid.id].sort());
      });
    });
    // --- end rooms-access ---
    // edits (issue 15 part A)
    describe("message changes", () => {
      // Each reaction a millisecond after the last: "in the order they reacted" needs distinct times.
      let reactedAt = Date.now();
      const react = (room: Room, seq: number, user: Member, emoji: string, add = true, maxEmoji = 20) =>
        store.changes.react({ roomId: room.id, seq, userId: user.id, emoji, add, at: ++reactedAt, maxEmoji });

      it("numbers each room's changes 1, 2, 3… on their own, and edits keep the message's place", async () => {
        const [ada, a, b] = [await newUser(), await newRoom(), await newRoom()];
        const [first, second] = await fill(a, ada, 2);
        const [other] = await fill(b, ada, 1);
        expect((await store.changes.positions(a.id)).lastChangeSeq).toBe(0);
        const edit = await store.changes.edit(a.id, first?.seq ?? 0, "edited", 42);
        expect(edit?.changeSeq).toBe(1);
        expect(edit?.message).toMatchObject({ seq: 1, body: "edited", editedAt: 42, changeSeq: 1 });
        expect((await store.changes.edit(b.id, other?.seq ?? 0, "elsewhere", 43))?.changeSeq).toBe(1);
        expect((await store.changes.edit(a.id, second?.seq ?? 0, "again", 44))?.changeSeq).toBe(2);
        expect((await store.changes.positions(a.id)).lastChangeSeq).toBe(2);
        expect((await store.messages.latest(a.id, 10)).map((m) => [m.seq, m.body])).toEqual([
          [1, "edited"],
          [2, "again"],
        ]);
        expect(await store.changes.edit(a.id, 99, "nothing", 45)).toBeUndefined();
        expect(await store.changes.positions(a.id)).toEqual({ lastSeq: 2, lastChangeSeq: 2 });
        expect(await store.changes.positions(b.id)).toEqual({ lastSeq: 1, lastChangeSeq: 1 });
        expect(await store.changes.positions((await newRoom()).id)).toEqual({ lastSeq: 0, lastChangeSeq: 0 });
      });

      it("deletes as a tombstone without body or reactions, once", async () => {
        const [ada, bob, room] = [await newUser("Ada"), await newUser("Bob"), await newRoom()];
        const [message] = await fill(room, ada, 1);
        const seq = message?.seq ?? 0;
        await react(room, seq, bob, "👍");
        const deleted = await store.changes.delete(room.id, seq, 77);
        expect(deleted?.message).toMatchObject({ seq, body: "", deletedAt: 77, changeSeq: 2 });
        expect(deleted?.message.reactions).toBeUndefined();
        expect(await store.changes.delete(room.id, seq, 78)).toBeUndefined();
        expect(await store.changes.edit(room.id, seq, "back", 79)).toBeUndefined();
        expect(await react(room, seq, bob, "🎉")).toBeUndefined();
        expect(await store.changes.get(room.id, seq)).toMatchObject({ body: "", deletedAt: 77 });
        expect((await store.changes.positions(room.id)).lastChangeSeq).toBe(2);
      });

      it("keeps reactions per emoji with who reacted in order; a repeat changes nothing; the kinds are capped", async () => {
        const [ada, bob, room] = [await newUser("Ada"), await newUser("Bob"), await newRoom()];
        const [message] = await fill(room, ada, 1);
        const seq = message?.seq ?? 0;
        await react(room, seq, bob, "👍");
        await react(room, seq, ada, "👍");
        expect(await react(room, seq, ada, "👍")).toBe("unchanged");
        expect(await react(room, seq, ada, "🎉", false)).toBe("unchanged");
        expect(await react(room, seq, ada, "🎉", true, 1)).toBe("full");
        const added = await react(room, seq, ada, "🎉");
        expect(typeof added === "object" && added.changeSeq).toBe(3);
        expect(typeof added === "object" && added.message.reactions).toEqual([
          {
            emoji: "👍",
            users: [
              { id: bob.id, name: "Bob" },
              { id: ada.id, name: "Ada" },
            ],
          },
          { emoji: "🎉", users: [{ id: ada.id, name: "Ada" }] },
        ]);
        const removed = await react(room, seq, bob, "👍", false);
        expect(typeof removed === "object" && removed.message.reactions?.map((r) => r.users.length)).toEqual([
          1, 1,
        ]);
        const [read] = await store.messages.latest(room.id, 1);
        expect(read?.reactions?.map((r) => r.emoji)).toEqual(["👍", "🎉"]);
      });

      it("lists what changed after a change sequence: each message once, current, by its latest change", async () => {
        const [ada, room] = [await newUser(), await newRoom()];
        await fill(room, ada, 4);
        await store.changes.edit(room.id, 2, "two", 1);
        await store.changes.edit(room.id, 1, "one", 2);
        await store.changes.edit(room.id, 2, "two again", 3);
        await store.changes.delete(room.id, 4, 4);
        const since1 = await store.changes.changedSince(room.id, 1, 3, 10);
        expect(since1.map((m) => [m.seq, m.body, m.changeSeq])).toEqual([
          [1, "one", 2],
          [2, "two again", 3],
        ]);
        expect((await store.changes.changedSince(room.id, 0, 4, 2)).map((m) => m.seq)).toEqual([1, 2]);
        expect(await store.changes.changedSince(room.id, 4, 4, 10)).toEqual([]);
      });

      it("carries what a reply quotes, as the original is now", async () => {
        const [ada, bob, room] = [await newUser("Ada"), await newUser("Bob"), await newRoom()];
        const [question] = await fill(room, ada, 1);
        const replyTo = {
          seq: question?.seq ?? 0,
          authorId: ada.id,
          authorName: "Ada",
          excerpt: "message 1",
        };
        const reply = await store.messages.append({ ...sent(room, bob, unique("c"), "answer"), replyTo });
        expect(reply.message.replyTo).toEqual(replyTo);
        expect((await store.messages.latest(room.id, 1))[0]?.replyTo).toEqual(replyTo);
        await store.changes.delete(room.id, replyTo.seq, 5);
        expect((await store.messages.latest(room.id, 1))[0]?.replyTo).toEqual({
          ...replyTo,
          excerpt: "",
          deleted: true,
        });
      });
    });
  });
}
