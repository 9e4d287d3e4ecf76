import { HISTORY_PAGE_SIZE, MAX_MESSAGE_LENGTH, toPage } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { problemOf } from "./http-api.js";
import { roomTitle, sidebarRooms } from "./rooms.js";
import { ADA, BOB, MemoryStorage, room, settle } from "./testing/fakes.js";
import { connect, harness, joined, message, range, reconnect, seqs } from "./testing/harness.js";

const general = room("r1", "general");
const random = room("r2", "random");

describe("joining and resuming", () => {
  it("joins the room on screen without `since` the first time, then resumes every room with `since`", async () => {
    const h = harness({ rooms: [general, random] });
    const first = await connect(h);
    h.core.openSlug("general");
    h.core.watchRoom(random.id);
    expect(first.sentOfType("join")).toEqual([
      { type: "join", roomId: general.id },
      { type: "join", roomId: random.id },
    ]);
    first.deliver(joined(general, [message(general.id, 1), message(general.id, 2)]));
    first.deliver(joined(random, [message(random.id, 7)], { hasOlder: true }));
    first.deliver({ type: "message", message: message(general.id, 3) });

    const second = reconnect(h);
    const joins = second.sentOfType("join").sort((a, b) => a.roomId.localeCompare(b.roomId));
    expect(joins).toEqual([
      { type: "join", roomId: general.id, since: 3 },
      { type: "join", roomId: random.id, since: 7 },
    ]);
    second.deliver(joined(general, [message(general.id, 4)]));
    expect(seqs(h, general.id)).toEqual([1, 2, 3, 4]);
    expect(h.core.getState().status).toBe("connected");
  });

  it("resumes a room that was empty when joined from 0, so nothing written meanwhile is skipped", async () => {
    const h = harness();
    const socket = await connect(h);
    h.core.openSlug("general");
    socket.deliver(joined(general, []));
    const next = reconnect(h);
    expect(next.sentOfType("join")).toEqual([{ type: "join", roomId: general.id, since: 0 }]);
  });

  it("keeps the cursor below a hole, so a reconnect asks again for what was missed", async () => {
    const h = harness();
    const socket = await connect(h);
    h.core.openSlug("general");
    socket.deliver(joined(general, [message(general.id, 1)]));
    // 2 and 3 never arrive on this socket; 4 does, and the client asks to fill the hole.
    socket.deliver({ type: "message", message: message(general.id, 4) });
    expect(socket.sentOfType("join").at(-1)).toEqual({ type: "join", roomId: general.id, since: 1 });

    const next = reconnect(h);
    expect(next.sentOfType("join")).toEqual([{ type: "join", roomId: general.id, since: 1 }]);
    next.deliver(joined(general, [message(general.id, 2), message(general.id, 3), message(general.id, 4)]));
    expect(seqs(h, general.id)).toEqual([1, 2, 3, 4]);
  });

  it("ignores repeated and reordered message frames: no duplicates, always in seq order", async () => {
    const h = harness();
    const socket = await connect(h);
    h.core.openSlug("general");
    socket.deliver(joined(general, [message(general.id, 1), message(general.id, 2)]));
    for (const seq of [2, 4, 3, 3, 1, 5, 4])
      socket.deliver({ type: "message", message: message(general.id, seq) });
    expect(seqs(h, general.id)).toEqual(range(1, 5));
    // The late resume answer (for the hole at 3) repeats what is already held and changes nothing.
    socket.deliver(joined(general, [message(general.id, 3), message(general.id, 4)]));
    expect(seqs(h, general.id)).toEqual(range(1, 5));
  });

  it("replaces what it held when the server answers a resume with the newest page (too much was missed)", async () => {
    const h = harness();
    const socket = await connect(h);
    h.core.openSlug("general");
    socket.deliver(joined(general, [message(general.id, 1), message(general.id, 2)]));
    const next = reconnect(h);
    next.deliver(joined(general, [message(general.id, 2000), message(general.id, 2001)], { hasOlder: true }));
    expect(seqs(h, general.id)).toEqual([2000, 2001]);
    expect(h.core.getState().roomStates[general.id]?.hasOlder).toBe(true);
  });

  it("does not send to a room until the answer to its latest join, when answers come late", async () => {
    const h = harness({ rooms: [general, random] });
    const socket = await connect(h);
    h.core.openSlug("general");
    h.core.openSlug("random");
    h.core.openSlug("general");
    expect(socket.sentOfType("join").map((f) => f.roomId)).toEqual([general.id, random.id, general.id]);
    h.core.send(general.id, "after the switch");
    // The answer to the first join of general arrives late: the second is still on its way.
    socket.deliver(joined(general, []));
    expect(socket.sentOfType("send")).toEqual([]);
    socket.deliver({ type: "left", roomId: random.id });
    socket.deliver(joined(random, []));
    socket.deliver(joined(general, []));
    expect(socket.sentOfType("send").map((f) => f.body)).toEqual(["after the switch"]);
  });

  it("ignores frames that are not valid protocol", async () => {
    const h = harness();
    const socket = await connect(h);
    h.core.openSlug("general");
    socket.deliverText("not json");
    socket.deliverText(JSON.stringify({ type: "message", message: { seq: "one" } }));
    socket.deliver(joined(general, [message(general.id, 1)]));
    expect(seqs(h, general.id)).toEqual([1]);
  });
});

describe("pages of messages with a users map", () => {
  it("takes each author of a joined page once and puts them back on every message", async () => {
    const h = harness();
    const socket = await connect(h);
    h.core.openSlug("general");
    const sent = [1, 2, 3, 4, 5, 6].map((seq) => message(general.id, seq, seq % 2 ? BOB : ADA));
    const frame = joined(general, sent);
    expect(frame.type === "joined" && frame.users).toEqual([BOB, ADA]);
    expect(JSON.stringify(frame).split(BOB.name).length - 1).toBe(2); // in members and in users only
    socket.deliver(frame);
    expect(h.core.getState().roomStates[general.id]?.messages).toEqual(sent);
  });

  it("expands a history page the same way when scrolling up", async () => {
    const h = harness();
    const socket = await connect(h);
    h.core.openSlug("general");
    socket.deliver(joined(general, [message(general.id, 5)], { hasOlder: true }));
    const older = [1, 2, 3, 4].map((seq) => message(general.id, seq, seq % 2 ? ADA : BOB));
    h.http.on(`GET /api/rooms/${general.id}/messages?before=5&limit=${HISTORY_PAGE_SIZE}`, {
      body: { ...toPage(older), hasOlder: false },
    });
    await h.core.loadOlder(general.id);
    expect(h.core.getState().roomStates[general.id]?.messages).toEqual([...older, message(general.id, 5)]);
  });

  it("refuses a joined frame that names an author it does not carry", async () => {
    const h = harness();
    const socket = await connect(h);
    h.core.openSlug("general");
    const frame = joined(general, [message(general.id, 1, BOB)]);
    socket.deliverText(JSON.stringify({ ...frame, users: [ADA] }));
    expect(h.core.getState().roomStates[general.id]?.loaded ?? false).toBe(false);
    socket.deliver(frame);
    expect(seqs(h, general.id)).toEqual([1]);
  });
});

describe("the outbox", () => {
  it("queues a message written while offline and sends it once the room is joined", async () => {
    const h = harness();
    h.core.start();
    await settle();
    h.core.openSlug("general");
    expect(h.core.send(general.id, "  hello  ")).toBeNull();
    const [entry] = h.core.getState().outbox;
    expect(entry).toMatchObject({ roomId: general.id, body: "hello", state: "pending" });

    const socket = h.sockets.last;
    socket.greet(ADA);
    expect(socket.sentOfType("send")).toEqual([]);
    socket.deliver(joined(general, []));
    expect(socket.sentOfType("send")).toEqual([
      { type: "send", roomId: general.id, clientId: entry?.clientId, body: "hello" },
    ]);
    socket.deliver({ type: "ack", roomId: general.id, clientId: entry?.clientId ?? "", seq: 1 });
    expect(h.core.getState().outbox).toEqual([]);
    expect(h.core.getState().roomStates[general.id]?.messages).toMatchObject([
      { seq: 1, body: "hello", local: true },
    ]);
    // A repeated ack (after a re-send) changes nothing.
    socket.deliver({ type: "ack", roomId: general.id, clientId: entry?.clientId ?? "", seq: 1 });
    expect(seqs(h, general.id)).toEqual([1]);
  });

  it("refuses empty and over-long messages locally with a reason", async () => {
    const h = harness();
    await connect(h);
    expect(h.core.send(general.id, "   ")).toEqual({ code: "message_empty" });
    expect(h.core.send(general.id, "x".repeat(100_000))).toEqual({
      code: "message_too_long",
      max: MAX_MESSAGE_LENGTH,
      length: 100_000,
    });
    expect(h.core.getState().outbox).toEqual([]);
  });

  it("survives a reload: the next page sends the same message under the same clientId", async () => {
    const storage = new MemoryStorage();
    const before = harness({ storage });
    before.core.start();
    await settle();
    before.core.send(general.id, "written before the reload");
    const clientId = before.core.getState().outbox[0]?.clientId;
    before.core.stop();

    const after = harness({ storage, seed: 2 });
    const socket = await connect(after);
    expect(after.core.getState().outbox).toMatchObject([{ clientId, state: "pending" }]);
    // The waiting message alone is reason to join its room.
    expect(socket.sentOfType("join")).toEqual([{ type: "join", roomId: general.id }]);
    socket.deliver(joined(general, []));
    expect(socket.sentOfType("send")).toMatchObject([{ clientId, body: "written before the reload" }]);
    socket.deliver({ type: "ack", roomId: general.id, clientId: clientId ?? "", seq: 1 });
    expect(storage.values.size).toBe(0);
  });

  it("re-sends with the same clientId after a reconnect when no ack came, and settles from the resume", async () => {
    const h = harness();
    const socket = await connect(h);
    h.core.openSlug("general");
    socket.deliver(joined(general, []));
    h.core.send(general.id, "maybe stored");
    const clientId = h.core.getState().outbox[0]?.clientId ?? "";
    expect(socket.sentOfType("send")).toHaveLength(1);

    const next = reconnect(h);
    // The server did store it before the drop: the resume carries it, so the outbox empties
    // and nothing is sent twice.
    next.deliver(joined(general, [message(general.id, 1, ADA, clientId)]));
    expect(h.core.getState().outbox).toEqual([]);
    expect(next.sentOfType("send")).toEqual([]);
  });

  it("keeps a rate-limited message queued and sends it again, same clientId, after the server's wait", async () => {
    const h = harness();
    const socket = await connect(h);
    h.core.openSlug("general");
    socket.deliver(joined(general, []));
    h.core.send(general.id, "one");
    h.core.send(general.id, "two");
    const [one, two] = h.core.getState().outbox;
    expect(socket.sentOfType("send").map((f) => f.body)).toEqual(["one", "two"]);
    socket.deliver({ type: "ack", roomId: general.id, clientId: one?.clientId ?? "", seq: 1 });
    socket.deliver({
      type: "error",
      code: "rate_limited",
      message: "Slow down",
      clientId: two?.clientId,
      retryAfter: 1500,
    });
    expect(h.core.getState().outbox).toMatchObject([{ clientId: two?.clientId, state: "pending" }]);

    h.clock.advance(1499);
    expect(socket.sentOfType("send")).toHaveLength(2);
    h.clock.advance(1);
    expect(socket.sentOfType("send").at(-1)).toEqual({
      type: "send",
      roomId: general.id,
      clientId: two?.clientId,
      body: "two",
    });
    socket.deliver({ type: "ack", roomId: general.id, clientId: two?.clientId ?? "", seq: 2 });
    expect(h.core.getState().outbox).toEqual([]);
  });

  it("holds later messages of a rate-limited room behind the waiting one, so order is kept", async () => {
    const h = harness();
    const socket = await connect(h);
    h.core.openSlug("general");
    socket.deliver(joined(general, []));
    h.core.send(general.id, "first");
    const first = h.core.getState().outbox[0];
    socket.deliver({
      type: "error",
      code: "rate_limited",
      message: "Slow down",
      clientId: first?.clientId,
      retryAfter: 1000,
    });
    h.core.send(general.id, "second");
    expect(socket.sentOfType("send").map((f) => f.body)).toEqual(["first"]);
    h.clock.advance(1000);
    expect(socket.sentOfType("send").map((f) => f.body)).toEqual(["first", "first", "second"]);
  });

  it("asks again for a room whose join was rate-limited, after the wait", async () => {
    const h = harness();
    const socket = await connect(h);
    h.core.openSlug("general");
    socket.deliver({
      type: "error",
      code: "rate_limited",
      message: "Slow down",
      roomId: general.id,
      retryAfter: 800,
    });
    h.core.send(general.id, "waits for the join");
    h.clock.advance(799);
    expect(socket.sentOfType("join")).toHaveLength(1);
    h.clock.advance(1);
    expect(socket.sentOfType("join")).toHaveLength(2);
    socket.deliver(joined(general, []));
    expect(socket.sentOfType("send").map((f) => f.body)).toEqual(["waits for the join"]);
  });

  it("gives a message a new clientId and sends it again on client_id_conflict", async () => {
    const h = harness();
    const socket = await connect(h);
    h.core.openSlug("general");
    socket.deliver(joined(general, []));
    h.core.send(general.id, "conflicted");
    const old = h.core.getState().outbox[0]?.clientId;
    socket.deliver({ type: "error", code: "client_id_conflict", message: "taken", clientId: old });
    const sends = socket.sentOfType("send");
    expect(sends).toHaveLength(2);
    expect(sends[1]?.clientId).not.toBe(old);
    expect(sends[1]?.body).toBe("conflicted");
    expect(h.core.getState().outbox).toMatchObject([{ clientId: sends[1]?.clientId, state: "pending" }]);
  });

  it("marks a message_invalid message failed with a clear reason, until the user retries or discards it", async () => {
    const h = harness();
    const socket = await connect(h);
    h.core.openSlug("general");
    socket.deliver(joined(general, []));
    h.core.send(general.id, "bad\u0001body");
    const clientId = h.core.getState().outbox[0]?.clientId ?? "";
    socket.deliver({ type: "error", code: "message_invalid", message: "control characters", clientId });
    expect(h.core.getState().outbox).toMatchObject([
      { clientId, state: "failed", error: { code: "message_invalid" } },
    ]);
    // A code, not the server's English: the UI words it in the reader's language.
    expect(h.core.getState().roomStates[general.id]?.error).toEqual({
      during: "send",
      problem: { code: "message_invalid" },
    });
    reconnect(h).deliver(joined(general, []));
    expect(h.sockets.last.sentOfType("send")).toEqual([]);
    h.core.discard(clientId);
    expect(h.core.getState().outbox).toEqual([]);
  });

  it("fails the queued messages of a room whose join is refused", async () => {
    const h = harness();
    const socket = await connect(h);
    h.core.send("gone", "to nowhere");
    socket.deliver({ type: "error", code: "unknown_room", message: "No such room", roomId: "gone" });
    expect(h.core.getState().outbox).toMatchObject([{ state: "failed", error: { code: "unknown_room" } }]);
  });

  it("keeps working in memory when storage fails", async () => {
    const storage = new MemoryStorage();
    storage.failing = true;
    const h = harness({ storage });
    const socket = await connect(h);
    h.core.openSlug("general");
    socket.deliver(joined(general, []));
    expect(h.core.send(general.id, "still goes")).toBeNull();
    expect(socket.sentOfType("send")).toHaveLength(1);
  });
});

describe("unread arithmetic", () => {
  it("counts lastSeq − lastReadSeq per member room and never goes back on late or reordered frames", async () => {
    const h = harness({ rooms: [general, random] });
    const socket = await connect(h);
    socket.deliver({
      type: "unread_state",
      rooms: [
        { roomId: general.id, lastSeq: 10, lastReadSeq: 4 },
        { roomId: random.id, lastSeq: 3, lastReadSeq: 3 },
      ],
    });
    expect(h.core.getState().unread).toEqual({
      [general.id]: { lastSeq: 10, lastReadSeq: 4 },
      [random.id]: { lastSeq: 3, lastReadSeq: 3 },
    });
    socket.deliver({ type: "activity", roomId: random.id, seq: 5 });
    socket.deliver({ type: "activity", roomId: random.id, seq: 4 });
    socket.deliver({ type: "read_position", roomId: general.id, seq: 8 });
    socket.deliver({ type: "read_position", roomId: general.id, seq: 6 });
    // Activity in a room the user is not a member of has nothing to count.
    socket.deliver({ type: "activity", roomId: "elsewhere", seq: 9 });
    const { unread } = h.core.getState();
    expect(unread).toEqual({
      [general.id]: { lastSeq: 10, lastReadSeq: 8 },
      [random.id]: { lastSeq: 5, lastReadSeq: 3 },
    });
  });

  it("reads what is shown while visible, tells the server once after a short delay, and not while hidden", async () => {
    const h = harness();
    const socket = await connect(h);
    h.core.openSlug("general");
    socket.deliver(
      joined(
        general,
        range(1, 6).map((seq) => message(general.id, seq)),
        { lastReadSeq: 2 },
      ),
    );
    expect(h.core.getState().unread[general.id]).toEqual({ lastSeq: 6, lastReadSeq: 2 });

    h.page.visible = false;
    h.core.markSeen(general.id, 6);
    expect(h.core.getState().unread[general.id]?.lastReadSeq).toBe(2);

    h.page.visible = true;
    h.core.markSeen(general.id, 5);
    h.core.markSeen(general.id, 6);
    expect(h.core.getState().unread[general.id]).toEqual({ lastSeq: 6, lastReadSeq: 6 });
    expect(socket.sentOfType("read")).toEqual([]);
    h.clock.advance(250);
    expect(socket.sentOfType("read")).toEqual([{ type: "read", roomId: general.id, seq: 6 }]);
    h.clock.advance(1000);
    expect(socket.sentOfType("read")).toHaveLength(1);
  });

  it("does not count the user's own acknowledged message as unread", async () => {
    const h = harness();
    const socket = await connect(h);
    h.core.openSlug("general");
    socket.deliver(joined(general, [message(general.id, 1)], { lastReadSeq: 1 }));
    h.core.send(general.id, "mine");
    const clientId = h.core.getState().outbox[0]?.clientId ?? "";
    socket.deliver({ type: "ack", roomId: general.id, clientId, seq: 2 });
    socket.deliver({ type: "message", message: message(general.id, 2, ADA, clientId) });
    expect(h.core.getState().unread[general.id]).toEqual({ lastSeq: 2, lastReadSeq: 2 });
  });
});

describe("rooms, routing and session", () => {
  it("follows nextCursor through every page of the room list", async () => {
    const h = harness();
    h.http
      .on("GET /api/rooms", { body: { rooms: [general], nextCursor: "p2" } })
      .on("GET /api/rooms?cursor=p2", { body: { rooms: [random], nextCursor: null } });
    await connect(h);
    expect(h.core.getState().rooms.map((r) => r.slug)).toEqual(["general", "random"]);
  });

  it("resolves a slug it does not list through the API, and reports a missing room", async () => {
    const h = harness();
    h.http
      .on("GET /api/rooms/by-slug/secret", { body: { room: room("r9", "secret") } })
      .on("GET /api/rooms/by-slug/nothing", {
        status: 404,
        body: { error: "not_found", message: "No room" },
      });
    const socket = await connect(h);
    h.core.openSlug("secret");
    await settle();
    expect(h.core.getState().route).toEqual({ slug: "secret", status: "found", roomId: "r9" });
    expect(socket.sentOfType("join")).toEqual([{ type: "join", roomId: "r9" }]);
    h.core.openSlug("nothing");
    await settle();
    expect(h.core.getState().route).toEqual({ slug: "nothing", status: "missing" });
    expect(socket.sentOfType("leave")).toEqual([{ type: "leave", roomId: "r9" }]);
  });

  it("retries start-up after a failure, waiting at least the server's Retry-After", async () => {
    const h = harness();
    h.http.on("GET /api/me", {
      status: 503,
      body: { error: "unavailable", message: "Starting" },
      headers: { "Retry-After": "7" },
    });
    h.core.start();
    await settle();
    expect(h.core.getState().startupError).toEqual({ code: "unavailable", status: 503, retryAfterMs: 7000 });
    h.http.on("GET /api/me", { body: { user: ADA } });
    h.clock.advance(6999);
    await settle();
    expect(h.sockets.opened).toHaveLength(0);
    h.clock.advance(1);
    await settle();
    expect(h.core.getState()).toMatchObject({ me: ADA, startupError: null });
    expect(h.sockets.opened).toHaveLength(1);
  });

  it("asks over HTTP when a socket dies before hello, and waits out the server's Retry-After", async () => {
    const h = harness();
    h.core.start();
    await settle();
    h.http.on("GET /api/me", { status: 503, body: { message: "Busy" }, headers: { "Retry-After": "20" } });
    h.sockets.last.drop();
    await settle();
    const wait = (h.clock.nextTimerAt() ?? 0) - h.clock.now();
    expect(wait).toBeGreaterThanOrEqual(20_000);
    h.clock.advance(wait);
    expect(h.sockets.opened).toHaveLength(2);
  });

  it("after a socket dies before hello, a server busy taking connections is waited out without a session check", async () => {
    const h = harness();
    h.core.start();
    await settle();
    h.http.on("GET /ws", { status: 503, body: { error: "busy" }, headers: { "Retry-After": "12" } });
    const meChecksBefore = h.http.requests.filter((request) => request === "GET /api/me").length;
    h.sockets.last.drop();
    await settle();
    expect(h.http.requests.filter((request) => request === "GET /api/me")).toHaveLength(meChecksBefore);
    const wait = (h.clock.nextTimerAt() ?? 0) - h.clock.now();
    expect(wait).toBeGreaterThanOrEqual(12_000);
    // Told the same wait, clients spread over up to a fifth more so they do not return as one.
    expect(wait).toBeLessThanOrEqual(12_000 * 1.2);
    h.clock.advance(wait);
    expect(h.sockets.opened).toHaveLength(2);
  });

  it("goes to sign-in when the server ends the session (4001) and does not reconnect", async () => {
    const h = harness();
    const socket = await connect(h);
    socket.drop({ code: 4001, reason: "session ended" });
    expect(h.page.signInRequests).toBe(1);
    expect(h.clock.nextTimerAt()).toBeUndefined();
  });

  it("starts over when another user says hello (another tab signed in as someone else)", async () => {
    const h = harness();
    const socket = await connect(h);
    socket.deliver({ type: "hello", user: BOB });
    expect(h.page.reloads).toBe(1);
  });
});

describe("problems are codes, never display text", () => {
  it("reports a refused room creation with the server's code, status and wait", async () => {
    const h = harness();
    h.http
      .on("POST /api/rooms", { status: 409, body: { error: "room_name_taken", message: "A room named…" } })
      .on("GET /api/rooms/by-slug/later", {
        status: 429,
        body: { error: "rate_limited", reason: "rooms_per_day", message: "…", retryAfter: 60 },
        headers: { "Retry-After": "60" },
      });
    await connect(h);
    const taken = await h.core.createRoom("general").catch((err: unknown) => problemOf(err));
    expect(taken).toEqual({ code: "room_name_taken", status: 409 });
    h.core.openSlug("later");
    await settle();
    expect(h.core.getState().route).toEqual({
      slug: "later",
      status: "error",
      problem: { code: "rate_limited", status: 429, retryAfterMs: 60_000, reason: "rooms_per_day" },
    });
  });

  it("names an unreachable server, a body without a code, and an unexpected answer by client codes", async () => {
    const h = harness();
    h.http
      .on("GET /api/rooms/by-slug/down", () => {
        throw new TypeError("Failed to fetch");
      })
      .on("GET /api/rooms/by-slug/proxy", { status: 502, body: "<html>Bad gateway</html>" })
      .on("GET /api/rooms/by-slug/odd", { body: { room: { nonsense: true } } });
    await connect(h);
    const routeProblem = async (slug: string) => {
      h.core.openSlug(slug);
      await settle();
      const route = h.core.getState().route;
      return route?.status === "error" ? route.problem : route;
    };
    expect(await routeProblem("down")).toEqual({ code: "offline" });
    expect(await routeProblem("proxy")).toEqual({ code: "http_error", status: 502 });
    expect(await routeProblem("odd")).toEqual({ code: "bad_response", status: 200 });
  });

  it("keeps a failed message stored with English text from an older version, under a generic code", async () => {
    const storage = new MemoryStorage();
    storage.set(
      `parley.outbox.${ADA.id}`,
      JSON.stringify([
        {
          clientId: "0123456789abcdef0123456789abcdef",
          roomId: general.id,
          body: "from before",
          createdAt: 1,
          state: "failed",
          error: "No such room",
        },
      ]),
    );
    const h = harness({ storage });
    await connect(h);
    expect(h.core.getState().outbox).toMatchObject([{ body: "from before", error: { code: "refused" } }]);
  });
});

// --- rooms-access ---
describe("memberships", () => {
  const secret = { ...room("r7", "secret-1a2b3c4d"), name: "Secret", kind: "private" as const };
  const direct = {
    ...room("r8", "dm-0123456789abcdef"),
    name: "",
    kind: "direct" as const,
    people: [ADA, BOB],
  };

  it("lists the rooms it is a member of, adds one live and drops a removed private room from view", async () => {
    const h = harness({ rooms: [general, random] });
    h.http.on("GET /api/me/rooms", { body: { rooms: [general] } });
    const socket = await connect(h);
    expect(h.core.getState().memberships).toEqual([general.id]);

    socket.deliver({ type: "room_added", room: secret });
    socket.deliver({ type: "room_added", room: direct });
    expect(h.core.getState().memberships).toEqual([general.id, secret.id, direct.id]);
    const { rooms, direct: directs } = sidebarRooms(
      h.core.getState().rooms,
      h.core.getState().memberships,
      ADA,
    );
    expect(rooms.map((r) => r.id)).toEqual([general.id, secret.id]);
    expect(directs.map((r) => roomTitle(r, ADA))).toEqual(["Bob"]);

    h.core.openSlug(secret.slug);
    socket.deliver(joined(secret, [message(secret.id, 1)]));
    expect(h.core.getState().route).toMatchObject({ status: "found", roomId: secret.id });
    socket.deliver({ type: "room_removed", roomId: secret.id });
    const state = h.core.getState();
    expect(state.memberships).toEqual([general.id, direct.id]);
    expect(state.rooms.map((r) => r.id)).not.toContain(secret.id);
    expect(state.roomStates[secret.id]).toBeUndefined();
    expect(state.route).toEqual({ slug: secret.slug, status: "missing" });
  });

  it("keeps an open room to browse after leaving it", async () => {
    const h = harness({ rooms: [general, random] });
    h.http.on("GET /api/me/rooms", { body: { rooms: [general, random] } });
    const socket = await connect(h);
    socket.deliver({ type: "room_removed", roomId: random.id });
    expect(h.core.getState().memberships).toEqual([general.id]);
    expect(h.core.getState().rooms.map((r) => r.id)).toContain(random.id);
  });

  it("catches up with memberships changed while it was away, on reconnect", async () => {
    const h = harness({ rooms: [general] });
    h.http.on("GET /api/me/rooms", { body: { rooms: [general, secret] } });
    await connect(h);
    expect(h.core.getState().memberships).toEqual([general.id, secret.id]);
    // Meanwhile: removed from the secret room, added to a direct conversation.
    h.http.on("GET /api/me/rooms", { body: { rooms: [general, direct] } });
    reconnect(h);
    await settle();
    const state = h.core.getState();
    expect(state.memberships).toEqual([general.id, direct.id]);
    expect(state.rooms.map((r) => r.id)).not.toContain(secret.id);
  });

  it("drops a room whose resume is refused as unknown (removed while offline)", async () => {
    const h = harness({ rooms: [general] });
    h.http.on("GET /api/me/rooms", { body: { rooms: [general, secret] } });
    const socket = await connect(h);
    h.core.openSlug(secret.slug);
    socket.deliver(joined(secret, [message(secret.id, 1)]));
    socket.deliver({ type: "error", code: "unknown_room", message: "There is no room", roomId: secret.id });
    expect(h.core.getState().memberships).toEqual([general.id]);
    expect(h.core.getState().rooms.map((r) => r.id)).not.toContain(secret.id);
  });

  it("keeps a loaded member list current with room_members", async () => {
    const h = harness({ rooms: [general] });
    h.http.on("GET /api/me/rooms", { body: { rooms: [general, secret] } });
    h.http.on(`GET /api/rooms/${secret.id}/members`, { body: { people: [ADA], nextCursor: null } });
    const socket = await connect(h);
    await h.core.loadRoster(secret.id);
    socket.deliver({ type: "room_members", roomId: secret.id, added: [BOB], removed: [] });
    expect(h.core.getState().rosters[secret.id]).toEqual([ADA, BOB]);
    socket.deliver({ type: "room_members", roomId: secret.id, added: [], removed: [ADA.id] });
    expect(h.core.getState().rosters[secret.id]).toEqual([BOB]);
  });

  it("reads a member list again when a member left while it was being read, so the list never shows them", async () => {
    const h = harness({ rooms: [general] });
    h.http.on("GET /api/me/rooms", { body: { rooms: [general, secret] } });
    const socket = await connect(h);
    let reads = 0;
    h.http.on(`GET /api/rooms/${secret.id}/members`, () => {
      reads += 1;
      if (reads === 1) {
        // Bob is removed while the first read is on its way: its answer still names him.
        socket.deliver({ type: "room_members", roomId: secret.id, added: [], removed: [BOB.id] });
        return { body: { people: [ADA, BOB], nextCursor: null } };
      }
      return { body: { people: [ADA], nextCursor: null } };
    });
    await h.core.loadRoster(secret.id);
    expect(reads).toBe(2);
    expect(h.core.getState().rosters[secret.id]).toEqual([ADA]);
  });
});
// --- end rooms-access ---
