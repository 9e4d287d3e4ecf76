import { randomUUID } from "node:crypto";
import type { Member, PeoplePage, Room } from "@parley/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatClient, type SignedInUser, signIn } from "../support/chat-client.js";
import { type TestDatabase, testDatabases } from "../support/databases.js";
import { call, newClientId as clientId, framesAbout, say } from "../support/membership-calls.js";
import { startServer, type TestServer } from "../support/parley-server.js";

describe.each(testDatabases() as TestDatabase[])(
  "private rooms and direct conversations on $name",
  (database) => {
    let server: TestServer;
    let drop: () => Promise<void>;
    let alice: SignedInUser;
    let bob: SignedInUser;
    let carol: SignedInUser;
    const sockets: ChatClient[] = [];
    let url: string;

    async function connect(user: SignedInUser): Promise<ChatClient> {
      const socket = await ChatClient.connect(server.wsUrl, user.cookie);
      sockets.push(socket);
      return socket;
    }

    async function createRoom(user: SignedInUser, name: string, kind?: "open" | "private"): Promise<Room> {
      const { status, json } = await call(url, user, "POST", "/api/rooms", {
        name,
        ...(kind ? { kind } : {}),
      });
      expect(status, JSON.stringify(json)).toBe(201);
      return json.room as Room;
    }

    beforeAll(async () => {
      const created = await database.create();
      drop = created.drop;
      server = await startServer({ databaseUrl: created.url });
      url = server.url;
      alice = await signIn(url, "Alice");
      bob = await signIn(url, "Bob");
      carol = await signIn(url, "Carol");
    });

    afterAll(async () => {
      for (const socket of sockets) socket.socket.terminate();
      await server?.close();
      await drop?.();
    });

    it("refuses an outsider every read path of a private room and a direct conversation, as if they did not exist", async () => {
      const bobSocket = await connect(bob);
      const general = (await call(url, bob, "GET", "/api/rooms/by-slug/general")).json.room as Room;
      await bobSocket.join(general.id);
      const watchFrom = bobSocket.received.length;

      const secret = await createRoom(alice, "Secret plans", "private");
      expect(secret).toMatchObject({ kind: "private", createdBy: alice.user.id, name: "Secret plans" });
      const direct = (await call(url, alice, "POST", "/api/direct", { userIds: [carol.user.id] })).json
        .room as Room;
      expect(direct.kind).toBe("direct");
      const aliceSocket = await connect(alice);
      await aliceSocket.join(secret.id);
      await aliceSocket.join(direct.id);
      await say(aliceSocket, secret.id, "the secret launch date");
      await say(aliceSocket, direct.id, "just between us");
      // A fence: an open room made after them reaches Bob, so anything about them would have come first.
      const fence = await createRoom(alice, `Fence ${randomUUID().slice(0, 8)}`);
      await bobSocket.waitFor((f) => f.type === "room_created" && f.room.id === fence.id);
      for (const hidden of [secret, direct]) expect(framesAbout(bobSocket, hidden.id, watchFrom)).toEqual([]);

      const guessed = randomUUID();
      const missing = await call(url, bob, "GET", `/api/rooms/${guessed}/messages`);
      expect(missing.status).toBe(404);
      for (const hidden of [secret, direct]) {
        // By slug, by id (history, members), by joining, leaving, inviting, removing: each a 404 like a guess.
        const bySlug = await call(url, bob, "GET", `/api/rooms/by-slug/${encodeURIComponent(hidden.slug)}`);
        expect(bySlug.status).toBe(404);
        expect(JSON.stringify(bySlug.json)).not.toContain(hidden.id);
        for (const [method, path, body] of [
          ["GET", `/api/rooms/${hidden.id}/messages`],
          ["GET", `/api/rooms/${hidden.id}/messages?before=2`],
          ["GET", `/api/rooms/${hidden.id}/members`],
          ["POST", `/api/rooms/${hidden.id}/join`],
          ["POST", `/api/rooms/${hidden.id}/leave`],
          ["POST", `/api/rooms/${hidden.id}/members`, { userId: bob.user.id }],
          ["DELETE", `/api/rooms/${hidden.id}/members/${alice.user.id}`],
        ] as const) {
          const answer = await call(url, bob, method, path, body);
          expect(answer.status, `${method} ${path}`).toBe(404);
          expect(answer.json.message).toBe(missing.json.message);
          expect(JSON.stringify(answer.json)).not.toMatch(/secret|just between|Secret plans/i);
        }
        // Not in the room list, nor in Bob's own rooms.
        const listed = (await call(url, bob, "GET", "/api/rooms?limit=200")).json.rooms as Room[];
        expect(listed.map((room) => room.id)).not.toContain(hidden.id);
        const mine = (await call(url, bob, "GET", "/api/me/rooms")).json.rooms as Room[];
        expect(mine.map((room) => room.id)).not.toContain(hidden.id);

        // Over the socket: join, resume with since, read and send, answered as a room that does not exist.
        for (const frame of [
          { type: "join", roomId: hidden.id },
          { type: "join", roomId: hidden.id, since: 0 },
          { type: "read", roomId: hidden.id, seq: 1 },
        ]) {
          const before = bobSocket.received.length;
          bobSocket.send(frame);
          const refusal = await bobSocket.waitFor(
            (f) => f.type === "error" && f.roomId === hidden.id && bobSocket.received.indexOf(f) >= before,
          );
          expect(refusal).toMatchObject({
            code: "unknown_room",
            message: `There is no room with id ${hidden.id}.`,
          });
        }
        const sendId = clientId();
        bobSocket.send({ type: "send", roomId: hidden.id, clientId: sendId, body: "let me in" });
        expect(await bobSocket.waitFor((f) => f.type === "error" && f.clientId === sendId)).toMatchObject({
          code: "not_in_room",
        });
        expect(
          framesAbout(bobSocket, hidden.id, watchFrom).filter((f) => f.type !== "error"),
          "no content, member or name",
        ).toEqual([]);
      }
      const guessedJoin = bobSocket.received.length;
      bobSocket.send({ type: "join", roomId: guessed });
      expect(
        await bobSocket.waitFor((f) => f.type === "error" && bobSocket.received.indexOf(f) >= guessedJoin),
      ).toMatchObject({ code: "unknown_room", message: `There is no room with id ${guessed}.` });
      // A fresh socket's unread state lists none of them.
      const fresh = await connect(bob);
      const unread = await fresh.waitFor((f) => f.type === "unread_state");
      expect(JSON.stringify(unread)).not.toContain(secret.id);
      expect(JSON.stringify(unread)).not.toContain(direct.id);
    });

    it("shows an invited person the room live, and stops everything at once when they are removed", async () => {
      const aliceSocket = await connect(alice);
      const bobSocket = await connect(bob);
      const general = (await call(url, bob, "GET", "/api/rooms/by-slug/general")).json.room as Room;
      await bobSocket.join(general.id);
      await aliceSocket.join(general.id);
      const room = await createRoom(alice, "Invited", "private");
      await aliceSocket.join(room.id);
      await say(aliceSocket, room.id, "before the invitation");

      expect(
        (await call(url, alice, "POST", `/api/rooms/${room.id}/members`, { userId: bob.user.id })).status,
      ).toBe(200);
      const added = await bobSocket.waitFor((f) => f.type === "room_added" && f.room.id === room.id);
      expect(added).toMatchObject({ room: { name: "Invited", kind: "private" } });
      const joined = await bobSocket.join(room.id);
      expect(joined.messages.map((m) => m.seq)).toEqual([1]);
      const members = (await call(url, bob, "GET", `/api/rooms/${room.id}/members`)).json as PeoplePage;
      expect(members.people.map((m: Member) => m.name).sort()).toEqual(["Alice", "Bob"]);
      // Alice sees the member list grow.
      await aliceSocket.waitFor(
        (f) => f.type === "room_members" && f.added.some((m) => m.id === bob.user.id),
      );

      // Any member may invite; only the creator removes.
      expect(
        (await call(url, bob, "POST", `/api/rooms/${room.id}/members`, { userId: carol.user.id })).status,
      ).toBe(200);
      const notAllowed = await call(url, bob, "DELETE", `/api/rooms/${room.id}/members/${carol.user.id}`);
      expect(notAllowed).toMatchObject({ status: 403, json: { error: "not_allowed" } });

      expect((await call(url, alice, "DELETE", `/api/rooms/${room.id}/members/${bob.user.id}`)).status).toBe(
        204,
      );
      await bobSocket.waitFor((f) => f.type === "room_removed" && f.roomId === room.id);
      const afterRemoval = bobSocket.received.length;
      await say(aliceSocket, room.id, "after the removal");
      // Fence: a later message in a room Bob is still in arrives; the private one never came before it.
      const fenceId = await say(aliceSocket, general.id, "fence");
      await bobSocket.waitFor((f) => f.type === "message" && f.message.clientId === fenceId);
      expect(
        bobSocket.received
          .slice(afterRemoval)
          .filter((f) => f.type === "message" && f.message.roomId === room.id),
      ).toEqual([]);
      const sendId = clientId();
      bobSocket.send({ type: "send", roomId: room.id, clientId: sendId, body: "still here?" });
      expect(await bobSocket.waitFor((f) => f.type === "error" && f.clientId === sendId)).toMatchObject({
        code: "not_in_room",
      });
      const resume = bobSocket.received.length;
      bobSocket.send({ type: "join", roomId: room.id, since: 1 });
      await bobSocket.waitFor(
        (f) => f.type === "error" && f.roomId === room.id && bobSocket.received.indexOf(f) >= resume,
      );
      expect(bobSocket.received.slice(resume).some((f) => f.type === "joined")).toBe(false);
      expect((await call(url, bob, "GET", `/api/rooms/${room.id}/messages`)).status).toBe(404);
    });

    it("covers membership on resume: removed while offline sees nothing new; added while offline sees the room", async () => {
      const room = await createRoom(alice, "Offline changes", "private");
      await call(url, alice, "POST", `/api/rooms/${room.id}/members`, { userId: bob.user.id });
      const bobSocket = await connect(bob);
      await bobSocket.join(room.id);
      const aliceSocket = await connect(alice);
      await aliceSocket.join(room.id);
      await say(aliceSocket, room.id, "one");
      await bobSocket.waitFor((f) => f.type === "message" && f.message.roomId === room.id);
      await bobSocket.close();

      await call(url, alice, "DELETE", `/api/rooms/${room.id}/members/${bob.user.id}`);
      await say(aliceSocket, room.id, "said while Bob was away");
      await call(url, alice, "POST", `/api/rooms/${room.id}/members`, { userId: carol.user.id });

      const back = await connect(bob);
      const state = await back.waitFor((f) => f.type === "unread_state");
      expect(JSON.stringify(state)).not.toContain(room.id);
      back.send({ type: "join", roomId: room.id, since: 1 });
      await back.waitFor((f) => f.type === "error" && f.roomId === room.id);
      expect(framesAbout(back, room.id).filter((f) => f.type !== "error")).toEqual([]);

      const carolSocket = await connect(carol);
      const carolState = await carolSocket.waitFor((f) => f.type === "unread_state");
      expect(JSON.stringify(carolState)).toContain(room.id);
      const carolRooms = (await call(url, carol, "GET", "/api/me/rooms")).json.rooms as Room[];
      expect(carolRooms.map((r) => r.id)).toContain(room.id);
      const joined = await carolSocket.join(room.id);
      expect(joined.messages.map((m) => m.body)).toEqual(["one", "said while Bob was away"]);
    });

    it("finds the same direct conversation again from either side, named by its people", async () => {
      const first = await call(url, alice, "POST", "/api/direct", { userIds: [bob.user.id] });
      expect(first.status).toBe(201);
      const room = first.json.room as Room;
      expect(room.people?.map((p) => p.name).sort()).toEqual(["Alice", "Bob"]);
      const again = await call(url, alice, "POST", "/api/direct", { userIds: [bob.user.id, bob.user.id] });
      expect(again).toMatchObject({ status: 200, json: { room: { id: room.id } } });
      const fromBob = await call(url, bob, "POST", "/api/direct", { userIds: [alice.user.id] });
      expect(fromBob).toMatchObject({ status: 200, json: { room: { id: room.id } } });
      const group = await call(url, bob, "POST", "/api/direct", { userIds: [alice.user.id, carol.user.id] });
      expect(group.status).toBe(201);
      expect((group.json.room as Room).id).not.toBe(room.id);
      expect((await call(url, alice, "GET", "/api/me/rooms")).json.rooms as Room[]).toEqual(
        expect.arrayContaining([expect.objectContaining({ id: room.id, people: expect.any(Array) })]),
      );
      // Direct conversations are fixed sets: no leaving, inviting or removing.
      expect((await call(url, alice, "POST", `/api/rooms/${room.id}/leave`)).status).toBe(409);
      expect(
        (await call(url, alice, "POST", `/api/rooms/${room.id}/members`, { userId: carol.user.id })).status,
      ).toBe(409);
      // Limits and unknown people are refused clearly.
      const tooMany = Array.from({ length: 8 }, () => randomUUID());
      expect((await call(url, alice, "POST", "/api/direct", { userIds: tooMany })).status).toBe(400);
      expect(await call(url, alice, "POST", "/api/direct", { userIds: [randomUUID()] })).toMatchObject({
        status: 404,
        json: { error: "unknown_person" },
      });
      expect((await call(url, alice, "POST", "/api/direct", { userIds: [alice.user.id] })).status).toBe(404);
      expect((await call(url, alice, "POST", "/api/direct", { userIds: [] })).status).toBe(400);
    });

    it("joins and leaves open rooms, and lists people by name, paged and filtered", async () => {
      const room = await createRoom(alice, "Open house");
      expect((await call(url, bob, "POST", `/api/rooms/${room.id}/join`)).status).toBe(200);
      expect(
        ((await call(url, bob, "GET", "/api/me/rooms")).json.rooms as Room[]).map((r) => r.id),
      ).toContain(room.id);
      expect((await call(url, bob, "POST", `/api/rooms/${room.id}/leave`)).status).toBe(204);
      expect(
        ((await call(url, bob, "GET", "/api/me/rooms")).json.rooms as Room[]).map((r) => r.id),
      ).not.toContain(room.id);
      // Leaving an open room does not hide it.
      expect((await call(url, bob, "GET", `/api/rooms/${room.id}/messages`)).status).toBe(200);
      expect((await call(url, bob, "POST", `/api/rooms/${room.id}/leave`)).status).toBe(404);

      for (const name of ["Zed 100%", "zed_under", "Zoë"]) await signIn(url, name);
      const filtered = (await call(url, alice, "GET", `/api/people?q=${encodeURIComponent("ZED")}`))
        .json as PeoplePage;
      expect(filtered.people.map((p) => p.name).sort()).toEqual(["Zed 100%", "zed_under"]);
      // LIKE's own characters are taken literally.
      const percent = (await call(url, alice, "GET", `/api/people?q=${encodeURIComponent("%")}`))
        .json as PeoplePage;
      expect(percent.people.map((p) => p.name)).toEqual(["Zed 100%"]);
      const underscore = (await call(url, alice, "GET", "/api/people?q=_")).json as PeoplePage;
      expect(underscore.people.map((p) => p.name)).toEqual(["zed_under"]);
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 50; pages++) {
        const query: string = cursor === null ? "?limit=2" : `?limit=2&cursor=${encodeURIComponent(cursor)}`;
        const page = (await call(url, alice, "GET", `/api/people${query}`)).json as PeoplePage;
        expect(page.people.length).toBeLessThanOrEqual(2);
        seen.push(...page.people.map((p) => p.id));
        cursor = page.nextCursor;
        if (cursor === null) break;
      }
      expect(cursor).toBeNull();
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual(expect.arrayContaining([alice.user.id, bob.user.id, carol.user.id]));
      expect((await call(url, alice, "GET", "/api/people?cursor=nope")).status).toBe(400);
      expect((await call(url, alice, "GET", "/api/people?limit=500")).status).toBe(400);
    });

    it("does not reveal a private room's name to someone creating an open room of the same name", async () => {
      const hidden = await createRoom(alice, "Acquisition", "private");
      expect(hidden.slug).not.toBe("acquisition");
      const open = await createRoom(bob, "Acquisition");
      expect(open.slug).toBe("acquisition");
    });
  },
);
