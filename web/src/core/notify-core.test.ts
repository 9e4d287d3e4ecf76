import { type Notification, TYPING_INTERVAL_MS, TYPING_SHOWN_MS } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { ChatCore } from "./chat-core.js";
import { mentionCount } from "./mentions.js";
import {
  ADA,
  BOB,
  FakeClock,
  FakeHttp,
  FakePage,
  FakeSockets,
  MemoryStorage,
  room,
  seededRandom,
  settle,
} from "./testing/fakes.js";
import { joined, message } from "./testing/harness.js";

const general = room("r1", "general");

async function started() {
  const clock = new FakeClock();
  const sockets = new FakeSockets();
  const http = new FakeHttp();
  const page = new FakePage();
  const shown: Notification[] = [];
  http
    .on("GET /api/me", { body: { user: ADA } })
    .on("GET /api/rooms", { body: { rooms: [general], nextCursor: null } })
    .on("GET /api/me/rooms", { body: { rooms: [general] } });
  const core = new ChatCore({
    openSocket: sockets.open,
    clock,
    storage: new MemoryStorage(),
    http: http.fetch,
    page,
    random: seededRandom(1),
    showNotification: (notification) => shown.push(notification),
  });
  core.start();
  await settle();
  const socket = sockets.last;
  socket.greet(ADA);
  core.openSlug("general");
  socket.deliver(joined(general, [message("r1", 1)], { lastReadSeq: 1 }));
  return { core, clock, socket, page, shown };
}

describe("the client core: typing, mentions, notifications", () => {
  it("shows who types until TYPING_SHOWN_MS pass, and drops them when their message arrives", async () => {
    const { core, clock, socket } = await started();
    socket.deliver({ type: "typing", roomId: "r1", users: [BOB, ADA] });
    // Never yourself, even in a list that names you.
    expect(core.getState().typing.r1).toEqual([BOB]);
    clock.advance(TYPING_SHOWN_MS);
    expect(core.getState().typing.r1).toBeUndefined();
    socket.deliver({ type: "typing", roomId: "r1", users: [BOB] });
    socket.deliver({ type: "message", message: message("r1", 2) });
    expect(core.getState().typing.r1).toBeUndefined();
  });

  it("sends at most one typing frame per interval per room, and ignores the server's typing_too_often", async () => {
    const { core, clock, socket } = await started();
    const typingSent = () => socket.sent.filter((frame) => frame.type === "typing").length;
    core.typingIn("r1");
    core.typingIn("r1");
    expect(typingSent()).toBe(1);
    clock.advance(TYPING_INTERVAL_MS);
    core.typingIn("r1");
    expect(typingSent()).toBe(2);
    socket.deliver({
      type: "error",
      code: "typing_too_often",
      message: "wait",
      roomId: "r1",
      retryAfter: 100,
    });
    expect(core.getState().roomStates.r1?.error).toBeNull();
    // Not joined: nothing is sent.
    core.typingIn("elsewhere");
    expect(typingSent()).toBe(2);
  });

  it("counts mention badges above the read position, from mention_state and live mentions", async () => {
    const { core, socket } = await started();
    socket.deliver({ type: "mention_state", rooms: [{ roomId: "r1", seqs: [1, 3] }] });
    socket.deliver({ type: "mention", roomId: "r1", seq: 4 });
    socket.deliver({ type: "activity", roomId: "r1", seq: 4 });
    const state = core.getState();
    expect(mentionCount(state.mentions.r1, state.unread.r1)).toBe(2);
    socket.deliver({ type: "read_position", roomId: "r1", seq: 4 });
    const after = core.getState();
    expect(mentionCount(after.mentions.r1, after.unread.r1)).toBe(0);
  });

  it("shows a system notification only while the page is hidden", async () => {
    const { socket, page, shown } = await started();
    const notification: Notification = {
      roomId: "r1",
      seq: 2,
      roomName: "general",
      author: BOB,
      excerpt: "@Ada hi",
      reason: "mention",
      url: "/r/general?m=2",
    };
    socket.deliver({ type: "notify", notification });
    expect(shown).toEqual([]);
    page.visible = false;
    socket.deliver({ type: "notify", notification: { ...notification, seq: 3, url: "/r/general?m=3" } });
    expect(shown.map((entry) => entry.seq)).toEqual([3]);
  });
});
