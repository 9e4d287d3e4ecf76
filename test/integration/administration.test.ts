import { CloseCode, type Profile, type Room, type ServerFrame } from "@parley/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatClient, readHistoryPage, type SignedInUser, signIn, waitUntil } from "../support/chat-client.js";
import { testDatabases } from "../support/databases.js";
import { LogLines } from "../support/log-lines.js";
import { startServer, type TestServer } from "../support/parley-server.js";
import { mockGithubAndGoogle, type ProviderMocks, signInWith } from "../support/provider-mocks.js";

/** Roles, the room-creation policy, room settings, deactivation and the audit trail, on each database. */
describe.each(testDatabases())("administration on $name", (database) => {
  let server: TestServer;
  let drop: () => Promise<void>;
  let mocks: ProviderMocks;
  let admin: SignedInUser;
  let bea: SignedInUser;
  let cal: SignedInUser;
  const open: ChatClient[] = [];
  const log = new LogLines();

  const call = (who: SignedInUser, method: string, path: string, body?: unknown) =>
    fetch(`${server.url}${path}`, {
      method,
      headers: {
        cookie: who.cookie,
        origin: server.url,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const connect = async (who: SignedInUser) => {
    const client = await ChatClient.connect(server.wsUrl, who.cookie);
    open.push(client);
    return client;
  };
  const roleOf = async (who: SignedInUser) =>
    ((await (await call(who, "GET", "/api/me")).json()) as { role: string }).role;
  const createRoom = async (who: SignedInUser, name: string) => {
    const response = await call(who, "POST", "/api/rooms", { name });
    expect(response.status).toBe(201);
    return ((await response.json()) as { room: Room }).room;
  };
  const auditRows = () => server.parley.db.selectFrom("audit").selectAll().orderBy("id").execute();

  beforeAll(async () => {
    mocks = await mockGithubAndGoogle();
    const created = await database.create();
    drop = created.drop;
    server = await startServer({
      databaseUrl: created.url,
      env: { ...mocks.env, ADMIN_EMAILS: "Boss@Corp.example", LOG_LEVEL: "info" },
      logDestination: log,
    });
    // The first person to sign in becomes an administrator.
    admin = await signIn(server.url, "Ada");
    bea = await signIn(server.url, "Bea");
    cal = await signIn(server.url, "Cal");
  });

  afterAll(async () => {
    for (const client of open) client.socket.terminate();
    await server?.close();
    await drop?.();
    await mocks?.restore();
  });

  it("makes the first person an administrator and everyone after a member", async () => {
    expect(await roleOf(admin)).toBe("administrator");
    expect(await roleOf(bea)).toBe("member");
    const rows = await auditRows();
    expect(rows.find((row) => row.action === "person.grant_administrator")).toMatchObject({
      actor_kind: "person",
      actor_id: admin.user.id,
      target_id: admin.user.id,
    });
  });

  it("makes a verified ADMIN_EMAILS address an administrator, and shows linked providers on the profile", async () => {
    mocks.github(
      {
        id: 77,
        login: "boss",
        name: "The Boss",
        email: "boss@corp.example",
        avatar_url: "https://a.example/b",
      },
      [{ email: "boss@corp.example", primary: true, verified: true }],
    );
    const { sessionCookie } = await signInWith(server.url, "github");
    if (!sessionCookie) throw new Error("the boss could not sign in");
    const me = (await (
      await fetch(`${server.url}/api/me`, { headers: { cookie: sessionCookie } })
    ).json()) as {
      user: { id: string };
      role: string;
    };
    expect(me.role).toBe("administrator");
    const profile = (await (await call(bea, "GET", `/api/people/${me.user.id}`)).json()) as {
      person: Profile;
    };
    expect(profile.person).toMatchObject({
      role: "administrator",
      providers: ["github"],
      deactivated: false,
    });
    // Revoking is refused while ADMIN_EMAILS names them: the variable would grant it again.
    const revoke = await call(admin, "PUT", `/api/people/${me.user.id}/role`, { role: "member" });
    expect(revoke.status).toBe(409);
  });

  it("lets administrators grant and revoke administrator, and nobody else", async () => {
    expect(
      (await call(bea, "PUT", `/api/people/${cal.user.id}/role`, { role: "administrator" })).status,
    ).toBe(403);
    expect(
      (await call(admin, "PUT", `/api/people/${cal.user.id}/role`, { role: "administrator" })).status,
    ).toBe(200);
    expect(await roleOf(cal)).toBe("administrator");
    expect((await call(admin, "PUT", `/api/people/${cal.user.id}/role`, { role: "member" })).status).toBe(
      200,
    );
    expect(await roleOf(cal)).toBe("member");
    expect((await call(admin, "PUT", `/api/people/${cal.user.id}/role`, { role: "owner" })).status).toBe(400);
  });

  it("lets only administrators create rooms when the workspace says so, with an explicit refusal", async () => {
    expect(
      (await call(bea, "PUT", "/api/workspace/settings", { roomCreation: "administrators" })).status,
    ).toBe(403);
    const set = await call(admin, "PUT", "/api/workspace/settings", { roomCreation: "administrators" });
    expect(set.status).toBe(200);
    const seen = (await (await call(bea, "GET", "/api/workspace/settings")).json()) as {
      roomCreation: string;
    };
    expect(seen.roomCreation).toBe("administrators");
    const refused = await call(bea, "POST", "/api/rooms", { name: "Bea's corner" });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: "room_creation_restricted" });
    await createRoom(admin, "Announcements");
    expect((await call(admin, "PUT", "/api/workspace/settings", { roomCreation: "everyone" })).status).toBe(
      200,
    );
    await createRoom(bea, "Bea's corner");
  });

  it("renames and sets the topic of a room live for every member; creators may, other members may not", async () => {
    const room = await createRoom(bea, "Planning");
    const watcher = await connect(cal);
    await watcher.join(room.id);
    // Cal is neither an administrator nor the creator.
    const refused = await call(cal, "PATCH", `/api/rooms/${room.id}`, { name: "Cal's now" });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: "forbidden" });
    // Bea created it: she may rename it.
    const renamed = await call(bea, "PATCH", `/api/rooms/${room.id}`, {
      name: "Roadmap",
      topic: "What ships when",
    });
    expect(renamed.status).toBe(200);
    const updated = await watcher.waitFor(
      (frame): frame is Extract<ServerFrame, { type: "room_updated" }> =>
        frame.type === "room_updated" && frame.room.id === room.id && frame.room.topic === "What ships when",
    );
    expect(updated.room).toMatchObject({ name: "Roadmap", slug: room.slug, topic: "What ships when" });
    // A name another room has is refused; so is an empty one.
    const taken = await call(admin, "PATCH", `/api/rooms/${room.id}`, { name: "announcements" });
    expect(taken.status).toBe(409);
    expect((await call(admin, "PATCH", `/api/rooms/${room.id}`, { name: "  " })).status).toBe(400);
    expect((await call(admin, "PATCH", `/api/rooms/${room.id}`, {})).status).toBe(400);
    const bySlug = (await (await call(cal, "GET", `/api/rooms/by-slug/${room.slug}`)).json()) as {
      room: Room;
    };
    expect(bySlug.room).toMatchObject({ name: "Roadmap", topic: "What ships when" });
    // The creator may not delete: only administrators.
    expect((await call(bea, "DELETE", `/api/rooms/${room.id}`)).status).toBe(403);
    const actions = (await auditRows()).filter((row) => row.target_id === room.id).map((row) => row.action);
    expect(actions).toEqual(["room.create", "room.rename", "room.topic"]);
    // Each action is also one JSON log line naming who did what to which room.
    const logged = log.lines.filter((line) => line.audit === true && line.targetId === room.id);
    expect(logged.map((line) => [line.action, line.actorId])).toEqual([
      ["room.create", bea.user.id],
      ["room.rename", bea.user.id],
      ["room.topic", bea.user.id],
    ]);
    // Unknown rooms are 404 whoever asks.
    expect((await call(admin, "PATCH", "/api/rooms/no-such-room", { topic: "x" })).status).toBe(404);
    expect((await call(admin, "DELETE", "/api/rooms/no-such-room")).status).toBe(404);
  });

  it("archives a room read-only and out of the list, and restores it", async () => {
    const room = await createRoom(admin, "Old project");
    const writer = await connect(bea);
    await writer.join(room.id);
    expect((await call(admin, "PATCH", `/api/rooms/${room.id}`, { archived: true })).status).toBe(200);
    await writer.waitFor((frame) => frame.type === "room_updated" && frame.room.archived === true);
    writer.send({ type: "send", roomId: room.id, clientId: "after-archive", body: "still here?" });
    const refusal = await writer.waitFor(
      (frame) => frame.type === "error" && frame.clientId === "after-archive",
    );
    expect(refusal).toMatchObject({ code: "room_archived" });
    const list = (await (await call(bea, "GET", "/api/rooms")).json()) as { rooms: Room[] };
    expect(list.rooms.map((r) => r.id)).not.toContain(room.id);
    const archived = (await (await call(bea, "GET", "/api/rooms?archived=true")).json()) as { rooms: Room[] };
    expect(archived.rooms.map((r) => r.id)).toContain(room.id);
    // A member who did not create it cannot restore it.
    expect((await call(bea, "PATCH", `/api/rooms/${room.id}`, { archived: false })).status).toBe(403);
    expect((await call(admin, "PATCH", `/api/rooms/${room.id}`, { archived: false })).status).toBe(200);
    await writer.waitFor(
      (frame) => frame.type === "room_updated" && frame.room.id === room.id && !frame.room.archived,
    );
    writer.send({ type: "send", roomId: room.id, clientId: "after-restore", body: "back" });
    await writer.waitFor((frame) => frame.type === "ack" && frame.clientId === "after-restore");
    expect(writer.errors().filter((frame) => frame.clientId === "after-restore")).toEqual([]);
  });

  it("deletes a room with its messages for administrators only, and tells everyone", async () => {
    const room = await createRoom(bea, "Scratch");
    const writer = await connect(bea);
    await writer.join(room.id);
    writer.send({ type: "send", roomId: room.id, clientId: "scratch-1", body: "temporary" });
    await writer.waitFor((frame) => frame.type === "ack" && frame.clientId === "scratch-1");
    expect((await call(admin, "DELETE", `/api/rooms/${room.id}`)).status).toBe(204);
    await writer.waitFor((frame) => frame.type === "room_deleted" && frame.roomId === room.id);
    expect((await call(bea, "GET", `/api/rooms/${room.id}/messages`)).status).toBe(404);
    writer.send({ type: "send", roomId: room.id, clientId: "scratch-2", body: "gone?" });
    const refusal = await writer.waitFor((frame) => frame.type === "error" && frame.clientId === "scratch-2");
    expect(refusal).toMatchObject({ code: "unknown_room" });
    const general = (await (await call(admin, "GET", "/api/rooms/by-slug/general")).json()) as { room: Room };
    expect((await call(admin, "DELETE", `/api/rooms/${general.room.id}`)).status).toBe(409);
    const row = (await auditRows()).find((entry) => entry.action === "room.delete");
    expect(row).toMatchObject({ actor_id: admin.user.id, target_id: room.id });
    // The trail names what changed, never a message body.
    expect(JSON.stringify(await auditRows())).not.toContain("temporary");
  });

  it("deactivates a person: sockets closed as session ended, cookie refused, messages kept, sign-in refused", async () => {
    mocks.google({
      sub: "g-dan",
      email: "dan@corp.example",
      email_verified: true,
      name: "Dan",
      picture: "https://lh3.googleusercontent.com/dan",
    });
    const first = await signInWith(server.url, "google");
    if (!first.sessionCookie) throw new Error("Dan could not sign in");
    const meResponse = await fetch(`${server.url}/api/me`, { headers: { cookie: first.sessionCookie } });
    const dan = { cookie: first.sessionCookie, user: ((await meResponse.json()) as SignedInUser).user };
    const general = (await (await call(dan, "GET", "/api/rooms/by-slug/general")).json()) as { room: Room };
    const tabOne = await connect(dan);
    const tabTwo = await connect(dan);
    await tabOne.join(general.room.id);
    tabOne.send({ type: "send", roomId: general.room.id, clientId: "dan-1", body: "hello from Dan" });
    await tabOne.waitFor((frame) => frame.type === "ack" && frame.clientId === "dan-1");

    expect((await call(bea, "POST", `/api/people/${dan.user.id}/deactivate`)).status).toBe(403);
    expect((await call(admin, "POST", `/api/people/${admin.user.id}/deactivate`)).status).toBe(409);
    const deactivated = await call(admin, "POST", `/api/people/${dan.user.id}/deactivate`);
    expect(deactivated.status).toBe(200);
    expect(((await deactivated.json()) as { person: Profile }).person.deactivated).toBe(true);
    expect((await tabOne.closed).code).toBe(CloseCode.sessionEnded);
    expect((await tabTwo.closed).code).toBe(CloseCode.sessionEnded);
    expect((await call(dan, "GET", "/api/me")).status).toBe(401);
    await expect(ChatClient.connect(server.wsUrl, dan.cookie)).rejects.toThrow(/401/);
    // Messages are kept.
    const history = await readHistoryPage(await call(bea, "GET", `/api/rooms/${general.room.id}/messages`));
    expect(history.messages.map((message) => message.body)).toContain("hello from Dan");
    // Signing in again is refused, with a reason the sign-in page explains.
    const again = await signInWith(server.url, "google");
    expect(again.sessionCookie).toBeUndefined();
    expect(again.location).toContain("error=account_deactivated");

    expect((await call(admin, "POST", `/api/people/${dan.user.id}/reactivate`)).status).toBe(200);
    const back = await signInWith(server.url, "google");
    expect(back.sessionCookie).toBeDefined();
    const actions = (await auditRows())
      .filter((row) => row.target_id === dan.user.id)
      .map((row) => row.action);
    expect(actions).toEqual(["person.deactivate", "person.reactivate"]);
  });

  it("shows presence status across rooms: online when active, offline without a connection", async () => {
    const status = async () =>
      (
        (await (await call(admin, "GET", `/api/people/status?ids=${cal.user.id},${bea.user.id}`)).json()) as {
          statuses: Record<string, string>;
        }
      ).statuses;
    for (const client of open) client.socket.terminate();
    await waitUntil(() => server.parley.gateway.connectionCount() === 0, "sockets closed");
    expect((await status())[cal.user.id]).toBe("offline");
    const tab = await connect(cal);
    // Connected but never active: away. Then active, with the browser's time zone.
    expect((await status())[cal.user.id]).toBe("away");
    tab.send({ type: "active", timeZone: "Asia/Tokyo" });
    let seen: Record<string, string> = {};
    await expect
      .poll(async () => {
        seen = await status();
        return seen[cal.user.id];
      })
      .toBe("online");
    const card = (await (await call(bea, "GET", `/api/people/${cal.user.id}`)).json()) as { person: Profile };
    expect(card.person).toMatchObject({
      status: "online",
      timeZone: "Asia/Tokyo",
      role: "member",
      providers: [],
    });
    tab.send({ type: "active", timeZone: "Not/AZone" });
    expect((await call(bea, "GET", "/api/people/status?ids=")).status).toBe(400);
    expect((await call(bea, "GET", "/api/people/nobody")).status).toBe(404);
  });
});
