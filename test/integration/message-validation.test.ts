import { MAX_SEQUENCE, type Room } from "@parley/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatClient, readHistoryPage, signIn } from "../support/chat-client.js";
import { mariadbWithServerDefaultCollation, type TestDatabase, testDatabases } from "../support/databases.js";
import { startServer, type TestServer } from "../support/parley-server.js";

let counter = 0;
const nextClientId = () => `v${Date.now().toString(36)}${(counter++).toString(36)}`;

const databases: TestDatabase[] = [
  ...testDatabases(),
  ...[mariadbWithServerDefaultCollation()].filter((d): d is TestDatabase => d !== undefined),
];

/**
 * What a client may put in a send or join, answered the same on every database: refused bodies
 * are never stored, sequences beyond what a room can hold are malformed, and ids compare exactly
 * (also on MariaDB created with its case-insensitive default collation).
 */
describe.each(databases)("message validation and exact ids on $name", (database) => {
  let server: TestServer;
  let drop: () => Promise<void>;
  const sockets: ChatClient[] = [];

  beforeAll(async () => {
    const created = await database.create();
    drop = created.drop;
    server = await startServer({ databaseUrl: created.url });
  });

  afterAll(async () => {
    for (const socket of sockets) socket.socket.terminate();
    await server?.close();
    await drop?.();
  });

  async function person(name: string) {
    const user = await signIn(server.url, name);
    const socket = await ChatClient.connect(server.wsUrl, user.cookie);
    sockets.push(socket);
    return { ...user, socket };
  }

  async function createRoom(cookie: string, name: string): Promise<Room> {
    const response = await fetch(`${server.url}/api/rooms`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json", origin: server.url },
      body: JSON.stringify({ name }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { room: Room }).room;
  }

  async function stored(cookie: string, roomId: string) {
    const response = await fetch(`${server.url}/api/rooms/${roomId}/messages`, { headers: { cookie } });
    expect(response.status).toBe(200);
    return (await readHistoryPage(response)).messages;
  }

  it("refuses NUL and other control characters with message_invalid and stores none of them", async () => {
    const ada = await person("Ada");
    const room = await createRoom(ada.cookie, `Controls ${database.name}`);
    await ada.socket.join(room.id);
    const refused = [
      "nul \u0000 inside",
      "escape \u001b[2J",
      "bell\u0007",
      "carriage\r\nreturn",
      "c1 \u009b",
    ];
    for (const body of refused) {
      const clientId = nextClientId();
      ada.socket.send({ type: "send", roomId: room.id, clientId, body });
      const answer = await ada.socket.waitFor((f) => f.type === "error" && f.clientId === clientId);
      expect(answer).toMatchObject({ type: "error", code: "message_invalid", roomId: room.id });
    }
    const fine = nextClientId();
    ada.socket.send({ type: "send", roomId: room.id, clientId: fine, body: "tab\there\nand a new line" });
    await ada.socket.waitFor((f) => f.type === "ack" && f.clientId === fine);
    expect((await stored(ada.cookie, room.id)).map((m) => m.body)).toEqual(["tab\there\nand a new line"]);
  });

  it("refuses a since beyond the largest sequence as bad_frame, and accepts the largest", async () => {
    const bob = await person("Bob");
    const room = await createRoom(bob.cookie, `Since ${database.name}`);
    bob.socket.send({ type: "join", roomId: room.id, since: 2 ** 31 });
    bob.socket.send({ type: "join", roomId: room.id, since: Number.MAX_SAFE_INTEGER });
    bob.socket.send({ type: "read", roomId: room.id, seq: 2 ** 31 });
    await bob.socket.waitFor(() => bob.socket.errors().filter((f) => f.code === "bad_frame").length === 3);
    expect(bob.socket.errors().map((f) => f.code)).toEqual(["bad_frame", "bad_frame", "bad_frame"]);
    const joined = await bob.socket.join(room.id, MAX_SEQUENCE);
    expect(joined.messages).toEqual([]);
    const history = await fetch(`${server.url}/api/rooms/${room.id}/messages?before=${2 ** 40}`, {
      headers: { cookie: bob.cookie },
    });
    expect(history.status).toBe(400);
  });

  it("refuses a clientId reused in another room with client_id_conflict, storing nothing there", async () => {
    const cy = await person("Cy");
    const first = await createRoom(cy.cookie, `First ${database.name}`);
    const second = await createRoom(cy.cookie, `Second ${database.name}`);
    await cy.socket.join(first.id);
    await cy.socket.join(second.id);
    const clientId = nextClientId();
    cy.socket.send({ type: "send", roomId: first.id, clientId, body: "in the first room" });
    await cy.socket.waitFor((f) => f.type === "ack" && f.clientId === clientId && f.roomId === first.id);
    cy.socket.send({ type: "send", roomId: second.id, clientId, body: "in the second room" });
    const answer = await cy.socket.waitFor((f) => f.type === "error" && f.clientId === clientId);
    expect(answer).toMatchObject({ code: "client_id_conflict", roomId: second.id });
    expect(cy.socket.received.some((f) => f.type === "ack" && f.roomId === second.id)).toBe(false);
    expect(await stored(cy.cookie, second.id)).toEqual([]);
    // The room's sequence was not used up by the refused send.
    const next = nextClientId();
    cy.socket.send({ type: "send", roomId: second.id, clientId: next, body: "the real first" });
    const ack = await cy.socket.waitFor((f) => f.type === "ack" && f.clientId === next);
    expect(ack).toMatchObject({ seq: 1 });
  });

  it("tells clientIds apart by letter case", async () => {
    const di = await person("Di");
    const room = await createRoom(di.cookie, `Case ${database.name}`);
    await di.socket.join(room.id);
    const lower = `msg-a-${nextClientId()}`;
    const upper = lower.toUpperCase();
    di.socket.send({ type: "send", roomId: room.id, clientId: lower, body: "lower" });
    await di.socket.waitFor((f) => f.type === "ack" && f.clientId === lower);
    di.socket.send({ type: "send", roomId: room.id, clientId: upper, body: "upper" });
    const answer = await di.socket.waitFor(
      (f) => (f.type === "ack" || f.type === "error") && f.clientId === upper,
    );
    expect(answer).toMatchObject({ type: "ack", seq: 2 });
    expect((await stored(di.cookie, room.id)).map((m) => [m.clientId, m.body])).toEqual([
      [lower, "lower"],
      [upper, "upper"],
    ]);
  });

  it("knows no room by its id in other letter case", async () => {
    const eve = await person("Eve");
    const room = await createRoom(eve.cookie, `Upper ${database.name}`);
    const shouted = room.id.toUpperCase();
    expect(shouted).not.toBe(room.id);
    eve.socket.send({ type: "join", roomId: shouted });
    const answer = await eve.socket.waitFor((f) => f.type === "error" && f.roomId === shouted);
    expect(answer).toMatchObject({ code: "unknown_room" });
    const history = await fetch(`${server.url}/api/rooms/${shouted}/messages`, {
      headers: { cookie: eve.cookie },
    });
    expect(history.status).toBe(404);
  });
});
