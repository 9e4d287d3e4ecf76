import type { Member, Message, Room, ServerFrame } from "@parley/protocol";
import { toPage } from "@parley/protocol";
import { ChatCore } from "../chat-core.js";
import {
  ADA,
  BOB,
  FakeClock,
  FakeHttp,
  FakePage,
  type FakeSocket,
  FakeSockets,
  MemoryStorage,
  room,
  seededRandom,
  settle,
} from "./fakes.js";

export interface Harness {
  core: ChatCore;
  clock: FakeClock;
  sockets: FakeSockets;
  http: FakeHttp;
  page: FakePage;
  storage: MemoryStorage;
}

/** A core wired to fakes; the REST server knows Ada and the given rooms. */
export function harness(options: { storage?: MemoryStorage; rooms?: Room[]; seed?: number } = {}): Harness {
  const clock = new FakeClock();
  const sockets = new FakeSockets();
  const http = new FakeHttp();
  const page = new FakePage();
  const storage = options.storage ?? new MemoryStorage();
  http
    .on("GET /api/me", { body: { user: ADA } })
    .on("GET /api/rooms", { body: { rooms: options.rooms ?? [room("r1", "general")], nextCursor: null } })
    .on("GET /api/me/rooms", { body: { rooms: [] } });
  const core = new ChatCore({
    openSocket: sockets.open,
    clock,
    storage,
    http: http.fetch,
    page,
    random: seededRandom(options.seed ?? 1),
  });
  return { core, clock, sockets, http, page, storage };
}

/** Starts the core and greets its first socket. */
export async function connect(h: Harness): Promise<FakeSocket> {
  h.core.start();
  await settle();
  const socket = h.sockets.last;
  socket.greet(ADA);
  return socket;
}

/** Drops the socket and lets the backoff open the next one, which is greeted. */
export function reconnect(h: Harness): FakeSocket {
  const old = h.sockets.last;
  old.drop();
  const at = h.clock.nextTimerAt();
  if (at === undefined) throw new Error("no reconnect was scheduled");
  h.clock.advance(at - h.clock.now());
  const socket = h.sockets.last;
  if (socket === old) throw new Error("no new socket was opened");
  socket.greet(ADA);
  return socket;
}

export function message(
  roomId: string,
  seq: number,
  author: Member = BOB,
  clientId = `c-${roomId}-${seq}`,
): Message {
  return { roomId, seq, clientId, author, body: `message ${seq}`, createdAt: 1000 + seq };
}

export function joined(
  target: Room,
  messages: Message[],
  options: { lastReadSeq?: number; hasOlder?: boolean } = {},
): ServerFrame {
  return {
    type: "joined",
    room: target,
    members: [ADA, BOB],
    ...toPage(messages),
    hasOlder: options.hasOlder ?? false,
    lastReadSeq: options.lastReadSeq ?? 0,
  };
}

export function seqs(h: Harness, roomId: string): number[] {
  return (h.core.getState().roomStates[roomId]?.messages ?? []).map((m) => m.seq);
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
