import { randomUUID } from "node:crypto";
import { type Room, SearchPage } from "@parley/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RoomAccess } from "../../src/chat/room-access.js";
import { SearchService } from "../../src/chat/search/search-service.js";
import { MembershipRepository } from "../../src/storage/membership-repository.js";
import { RoomRepository } from "../../src/storage/room-repository.js";
import { ChatClient, type SignedInUser, signIn } from "../support/chat-client.js";
import { mariadbWithServerDefaultCollation, type TestDatabase, testDatabases } from "../support/databases.js";
import { startServer, type TestServer } from "../support/parley-server.js";
import { CORPUS_QUERIES, SEARCH_CORPUS } from "../support/search-corpus.js";

const databases: TestDatabase[] = [
  ...testDatabases(),
  ...[mariadbWithServerDefaultCollation()].filter((d): d is TestDatabase => d !== undefined),
];

/** A RoomAccess that keeps one room from everyone, as a private room keeps it from non-members. */
class AccessWithout extends RoomAccess {
  constructor(
    rooms: RoomRepository,
    memberships: MembershipRepository,
    private readonly hidden: string,
  ) {
    super(rooms, memberships);
  }
  override async canRead(userId: string, roomId: string): Promise<boolean> {
    return roomId !== this.hidden && super.canRead(userId, roomId);
  }
  override async readableRoomIds(userId: string): Promise<string[]> {
    return (await super.readableRoomIds(userId)).filter((id) => id !== this.hidden);
  }
}

describe.each(databases)("search on $name", (database) => {
  let server: TestServer;
  let drop: () => Promise<void>;
  let aiko: SignedInUser;
  let ben: SignedInUser;
  const rooms: Record<"general" | "tokyo", Room> = {} as Record<"general" | "tokyo", Room>;
  /** Corpus label of each stored message, by "roomId/seq". */
  const labels = new Map<string, string>();
  /** Chie's private room: nobody else is a member, so nothing of it may reach them. */
  let privateRoom: Room;
  let chie: SignedInUser;
  const seqOf = new Map<string, number>();

  async function send(user: SignedInUser, room: Room, body: string): Promise<number> {
    const client = await ChatClient.connect(server.wsUrl, user.cookie);
    try {
      await client.join(room.id);
      const clientId = randomUUID();
      client.send({ type: "send", roomId: room.id, clientId, body });
      const ack = await client.waitFor((f) => f.type === "ack" && f.clientId === clientId);
      return (ack as { seq: number }).seq;
    } finally {
      await client.close();
    }
  }

  async function search(user: SignedInUser, params: Record<string, string>) {
    return fetch(`${server.url}/api/search?${new URLSearchParams(params)}`, {
      headers: { cookie: user.cookie },
    });
  }

  async function found(user: SignedInUser, params: Record<string, string>): Promise<SearchPage> {
    const response = await search(user, params);
    expect(response.status, await response.clone().text()).toBe(200);
    return SearchPage.parse(await response.json());
  }

  const labelsOf = (page: SearchPage) => page.results.map((r) => labels.get(`${r.room.id}/${r.seq}`));

  beforeAll(async () => {
    const created = await database.create();
    drop = created.drop;
    server = await startServer({ databaseUrl: created.url });
    aiko = await signIn(server.url, "Aiko");
    ben = await signIn(server.url, "Ben");
    const general = await server.parley.chat.roomBySlug(aiko.user.id, "general");
    if (!general) throw new Error("no general room");
    rooms.general = general;
    // Chie's private room, outside the corpus: Aiko and Ben are not members.
    chie = await signIn(server.url, "Chie");
    const secret = await server.parley.chat.createRoom("Secret Plans", chie.user.id, "private");
    if (secret.kind !== "created") throw new Error("could not make the private room");
    privateRoom = secret.room;
    await send(chie, privateRoom, "極秘の会議 zebra plan");
    const made = await server.parley.chat.createRoom("Tokyo Office", aiko.user.id);
    if (made.kind !== "created") throw new Error("could not make the room");
    rooms.tokyo = made.room;
    for (const message of SEARCH_CORPUS) {
      const room = rooms[message.room];
      const seq = await send(message.author === "aiko" ? aiko : ben, room, message.body);
      labels.set(`${room.id}/${seq}`, message.label);
      seqOf.set(message.label, seq);
    }
  });

  afterAll(async () => {
    await server?.close();
    await drop?.();
  });

  it.each(CORPUS_QUERIES)("finds what $q should", async ({ q, hits, ordered }) => {
    const page = await found(aiko, { q });
    if (ordered) expect(labelsOf(page)).toEqual(hits);
    else expect(labelsOf(page).sort()).toEqual([...hits].sort());
  });

  it("marks each match in the snippet, on the original text", async () => {
    const page = await found(aiko, { q: "ｶﾞｲﾄﾞ" });
    const [result] = page.results;
    expect(result?.snippet.text).toBe("ｶﾞｲﾄﾞを読んでください");
    const marked = result?.snippet.highlights.map((h) => result.snippet.text.slice(h.start, h.end));
    expect(marked).toEqual(["ｶﾞｲﾄﾞ"]);
    const review = (await found(aiko, { q: "review" })).results[0];
    expect(review?.snippet.highlights.map((h) => review.snippet.text.slice(h.start, h.end))).toEqual([
      "Review",
      "review",
    ]);
  });

  it("says where each result is, so the client can open the room at the message", async () => {
    const [result] = (await found(aiko, { q: "東京都" })).results;
    expect(result?.room).toEqual({ id: rooms.general.id, slug: "general", name: "general" });
    expect(result?.seq).toBe(seqOf.get("ja-tokyo-to"));
    expect(result?.author.name).toBe("Aiko");
  });

  it("searches one room when asked to", async () => {
    const page = await found(aiko, { q: "会議", room: rooms.tokyo.id });
    expect(labelsOf(page)).toEqual(["ja-room"]);
  });

  it("finds today's messages with on: and none with before: today, in the searcher's time zone", async () => {
    const tz = 9 * 60;
    const today = new Date(Date.now() + tz * 60_000).toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() + tz * 60_000 - 86_400_000).toISOString().slice(0, 10);
    expect(labelsOf(await found(aiko, { q: `会議 on:${today}`, tz: String(tz) })).length).toBe(3);
    expect(labelsOf(await found(aiko, { q: `会議 after:${yesterday}`, tz: String(tz) })).length).toBe(3);
    expect(labelsOf(await found(aiko, { q: `会議 before:${today}`, tz: String(tz) }))).toEqual([]);
  });

  it("pages through the ranked results", async () => {
    const first = await found(aiko, { q: "from:ben", limit: "3" });
    expect(first.hasMore).toBe(true);
    const second = await found(aiko, { q: "from:ben", limit: "3", offset: "3" });
    expect(second.hasMore).toBe(false);
    expect([...labelsOf(first), ...labelsOf(second)]).toEqual(["zh", "ko", "en-deploy", "en-notes"]);
  });

  it("answers a query it cannot read with 400 and the reason, never a 500", async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ q: '"release notes' }, "unclosed_quote"],
      [{ q: "after:2026-02-30" }, "bad_date"],
      [{ q: "on:yesterday 会議" }, "bad_date"],
      [{ q: "from: 会議" }, "missing_value"],
      [{ q: "from:nobody-here" }, "unknown_person"],
      [{ q: "in:no-such-room 会議" }, "unknown_room"],
      [{ q: "after:2026-01-01" }, "needs_words"],
      [{ q: "after:2026-01-02 before:2026-01-03" }, "dates_reversed"],
      [{ q: "   " }, "empty"],
      [{ q: "x".repeat(300) }, "too_long"],
      [{ q: "会議", room: "no-such-room-id" }, "unknown_room"],
      [{ q: "会議", limit: "5000" }, "bad_parameter"],
      [{ q: "in:a\u0000b 会議" }, "bad_parameter"],
      [{ q: "会議", room: "a\u0000b" }, "bad_parameter"],
    ];
    for (const [params, reason] of cases) {
      const response = await search(aiko, params);
      expect(response.status, JSON.stringify(params)).toBe(400);
      const body = (await response.json()) as { error: string; reason: string; message: string };
      expect({ params, error: body.error, reason: body.reason }).toEqual({
        params,
        error: "bad_search",
        reason,
      });
      expect(body.message.length).toBeGreaterThan(10);
    }
    expect((await fetch(`${server.url}/api/search?q=x`)).status).toBe(401);
  });

  it("never finds a private room's messages for a non-member, by word, by in:, by room id or by slug", async () => {
    // The member finds it.
    const mine = await found(chie, { q: "zebra" });
    expect(mine.results.map((r) => r.room.id)).toEqual([privateRoom.id]);
    // Ben does not: not by a word only it holds, not by CJK bigrams, not by naming the room.
    expect((await found(ben, { q: "zebra" })).results).toEqual([]);
    expect((await found(ben, { q: "極秘" })).results).toEqual([]);
    expect((await found(aiko, { q: "zebra" })).results).toEqual([]);
    const attempts: Array<Record<string, string>> = [
      { q: `in:${privateRoom.slug} zebra` },
      { q: "zebra", room: privateRoom.id },
    ];
    for (const params of attempts) {
      const response = await search(ben, params);
      expect(response.status).toBe(400);
      // The same refusal as for a room that does not exist: its existence is not told either.
      expect(await response.json()).toMatchObject({ error: "bad_search", reason: "unknown_room" });
    }
    const unknown = await search(ben, { q: "zebra", room: "no-such-room" });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ error: "bad_search", reason: "unknown_room" });
  });

  it("never finds messages of a room the person may not read, by word, by in: or by room", async () => {
    const roomStore = new RoomRepository(server.parley.db);
    const search = new SearchService(
      server.parley.searchIndex,
      roomStore,
      new AccessWithout(roomStore, new MembershipRepository(server.parley.db), rooms.tokyo.id),
    );
    const request = { tz: 0, limit: 20, offset: 0 };
    const everywhere = await search.search(ben.user.id, { ...request, q: "会議" });
    expect(everywhere.results.map((r) => r.room.id)).toEqual([rooms.general.id, rooms.general.id]);
    const deploy = await search.search(ben.user.id, { ...request, q: "from:ben deploy" });
    expect(deploy.results).toEqual([]);
    await expect(search.search(ben.user.id, { ...request, q: "in:tokyo-office 会議" })).rejects.toMatchObject(
      {
        reason: "unknown_room",
      },
    );
    await expect(
      search.search(ben.user.id, { ...request, q: "会議", room: rooms.tokyo.id }),
    ).rejects.toMatchObject({
      reason: "unknown_room",
    });
  });

  it("follows edits and deletes through the message index port", async () => {
    const seq = seqOf.get("ja-kyoto") as number;
    const db = server.parley.db;
    await db
      .updateTable("messages")
      .set({ body: "大阪への出張は来週です" })
      .where("room_id", "=", rooms.tokyo.id)
      .where("seq", "=", seq)
      .execute();
    await server.parley.searchIndex.reindex(rooms.tokyo.id, seq);
    expect(labelsOf(await found(aiko, { q: "大阪" }))).toEqual(["ja-kyoto"]);
    expect(labelsOf(await found(aiko, { q: "京都" }))).toEqual(["ja-tokyo-to"]);
    await server.parley.searchIndex.remove(rooms.tokyo.id, seq);
    expect(labelsOf(await found(aiko, { q: "大阪" }))).toEqual([]);
  });
});

describe("search turned off (SEARCH_INDEX=off)", () => {
  it("writes no index with the send and answers 503 search_off", async () => {
    const server = await startServer({ env: { SEARCH_INDEX: "off" } });
    try {
      const user = await signIn(server.url, "Nobody Searches");
      const general = await server.parley.chat.roomBySlug(user.user.id, "general");
      if (!general) throw new Error("no general room");
      const client = await ChatClient.connect(server.wsUrl, user.cookie);
      await client.join(general.id);
      client.send({ type: "send", roomId: general.id, clientId: randomUUID(), body: "会議 notes" });
      await client.waitFor((f) => f.type === "ack");
      await client.close();
      const postings = await server.parley.db.selectFrom("search_postings").select("token").execute();
      expect(postings).toEqual([]);
      const response = await fetch(`${server.url}/api/search?q=notes`, { headers: { cookie: user.cookie } });
      expect(response.status).toBe(503);
      expect(((await response.json()) as { error: string }).error).toBe("search_off");
    } finally {
      await server.close();
    }
  });
});
