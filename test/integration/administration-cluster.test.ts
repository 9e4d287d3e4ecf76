import { CloseCode, type Room, type ServerFrame } from "@parley/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatClient, type SignedInUser, signIn } from "../support/chat-client.js";
import { type Cluster, clusterDatabase, startCluster } from "../support/cluster.js";
import { testRedisUrl } from "../support/redis.js";

const redisUrl = testRedisUrl();
const shared = clusterDatabase();

/** Administration across two nodes on one database and one Redis. */
describe.skipIf(!redisUrl || !shared)("administration across two nodes", () => {
  let cluster: Cluster;
  let admin: SignedInUser;
  let cal: SignedInUser;
  const clients: ChatClient[] = [];
  const node = (index: 0 | 1) => {
    const server = cluster.nodes[index];
    if (!server) throw new Error(`no node ${index}`);
    return server;
  };
  const call = (index: 0 | 1, who: SignedInUser, method: string, path: string, body?: unknown) =>
    fetch(`${node(index).url}${path}`, {
      method,
      headers: {
        cookie: who.cookie,
        origin: node(index).url,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const connect = async (index: 0 | 1, who: SignedInUser) => {
    const client = await ChatClient.connect(node(index).wsUrl, who.cookie);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    cluster = await startCluster(2, redisUrl ?? "");
    admin = await signIn(node(0).url, "Ada");
    cal = await signIn(node(1).url, "Cal");
  });

  afterAll(async () => {
    for (const client of clients) client.socket.terminate();
    await cluster?.close();
  });

  it("closes a deactivated person's sockets on both nodes with the session-ended code", async () => {
    const onFirst = await connect(0, cal);
    const onSecond = await connect(1, cal);
    const deactivated = await call(0, admin, "POST", `/api/people/${cal.user.id}/deactivate`);
    expect(deactivated.status).toBe(200);
    const [first, second] = await Promise.all([onFirst.closed, onSecond.closed]);
    expect(first.code).toBe(CloseCode.sessionEnded);
    expect(second.code).toBe(CloseCode.sessionEnded);
    expect((await call(1, cal, "GET", "/api/me")).status).toBe(401);
    expect((await call(0, admin, "POST", `/api/people/${cal.user.id}/reactivate`)).status).toBe(200);
  });

  it("shows a rename made on one node to members on the other, and status across nodes", async () => {
    const bea = await signIn(node(1).url, "Bea");
    const created = await call(0, admin, "POST", "/api/rooms", { name: "Cross" });
    const room = ((await created.json()) as { room: Room }).room;
    const member = await connect(1, bea);
    await member.join(room.id);
    expect(
      (await call(0, admin, "PATCH", `/api/rooms/${room.id}`, { name: "Crossing", topic: "Both nodes" }))
        .status,
    ).toBe(200);
    const updated = await member.waitFor(
      (frame): frame is Extract<ServerFrame, { type: "room_updated" }> =>
        frame.type === "room_updated" && frame.room.name === "Crossing",
    );
    expect(updated.room.topic).toBe("Both nodes");

    // Bea is connected to node 1 only; node 0 sees her as away, then online once she is active.
    const status = async () =>
      (
        (await (await call(0, admin, "GET", `/api/people/status?ids=${bea.user.id}`)).json()) as {
          statuses: Record<string, string>;
        }
      ).statuses[bea.user.id];
    expect(await status()).toBe("away");
    member.send({ type: "active" });
    await expect.poll(status).toBe("online");
    await member.close();
    await expect.poll(status).toBe("offline");
  });
});
