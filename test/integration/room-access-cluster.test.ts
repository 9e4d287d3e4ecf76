import type { Room } from "@parley/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatClient, type SignedInUser, signIn } from "../support/chat-client.js";
import { type Cluster, clusterDatabase, startCluster } from "../support/cluster.js";
import { call, framesAbout, newClientId, say } from "../support/membership-calls.js";
import { testRedisUrl } from "../support/redis.js";

const redisUrl = testRedisUrl();

describe.runIf(redisUrl && clusterDatabase())("membership across two nodes", () => {
  let cluster: Cluster;
  const sockets: ChatClient[] = [];
  let alice: SignedInUser;
  let bob: SignedInUser;
  let carol: SignedInUser;

  const node = (index: number) => {
    const found = cluster.nodes[index];
    if (!found) throw new Error(`no node ${index}`);
    return found;
  };

  async function connect(index: number, user: SignedInUser): Promise<ChatClient> {
    const socket = await ChatClient.connect(node(index).wsUrl, user.cookie);
    sockets.push(socket);
    return socket;
  }

  beforeAll(async () => {
    cluster = await startCluster(2, redisUrl ?? "");
    alice = await signIn(node(0).url, "Alice");
    bob = await signIn(node(0).url, "Bob");
    carol = await signIn(node(0).url, "Carol");
  });

  afterAll(async () => {
    for (const socket of sockets) socket.socket.terminate();
    await cluster?.close();
  });

  it("refuses an outsider on the other node, shows an invitation live there, and stops delivery there at once on removal", async () => {
    const url0 = node(0).url;
    const url1 = node(1).url;
    const { json } = await call(url0, alice, "POST", "/api/rooms", { name: "Across nodes", kind: "private" });
    const room = json.room as Room;
    const aliceSocket = await connect(0, alice);
    await aliceSocket.join(room.id);
    await say(aliceSocket, room.id, "first");
    const general = (await call(url1, bob, "GET", "/api/rooms/by-slug/general")).json.room as Room;
    await aliceSocket.join(general.id);

    // Bob on node 1: outside, every read path is refused there too.
    const bobSocket = await connect(1, bob);
    await bobSocket.join(general.id);
    for (const path of [
      `/api/rooms/${room.id}/messages`,
      `/api/rooms/by-slug/${encodeURIComponent(room.slug)}`,
    ]) {
      expect((await call(url1, bob, "GET", path)).status, path).toBe(404);
    }
    bobSocket.send({ type: "join", roomId: room.id, since: 0 });
    expect(await bobSocket.waitFor((f) => f.type === "error" && f.roomId === room.id)).toMatchObject({
      code: "unknown_room",
    });

    // Invited on node 0: the room appears on node 1 live, and node 1 lets Bob in (its cache was told).
    await call(url0, alice, "POST", `/api/rooms/${room.id}/members`, { userId: bob.user.id });
    await bobSocket.waitFor((f) => f.type === "room_added" && f.room.id === room.id);
    const joined = await bobSocket.join(room.id);
    expect(joined.messages.map((m) => m.body)).toEqual(["first"]);
    await say(aliceSocket, room.id, "second");
    await bobSocket.waitFor((f) => f.type === "message" && f.message.body === "second");

    // Removed on node 0: node 1 stops delivering at once and refuses a rejoin.
    expect((await call(url0, alice, "DELETE", `/api/rooms/${room.id}/members/${bob.user.id}`)).status).toBe(
      204,
    );
    await bobSocket.waitFor((f) => f.type === "room_removed" && f.roomId === room.id);
    const afterRemoval = bobSocket.received.length;
    await say(aliceSocket, room.id, "after the removal");
    const fence = await say(aliceSocket, general.id, "fence");
    await bobSocket.waitFor((f) => f.type === "message" && f.message.clientId === fence);
    expect(
      framesAbout(bobSocket, room.id, afterRemoval).filter(
        (f) => f.type === "message" || f.type === "activity",
      ),
    ).toEqual([]);
    const rejoin = bobSocket.received.length;
    bobSocket.send({ type: "join", roomId: room.id, since: 2 });
    await bobSocket.waitFor(
      (f) => f.type === "error" && f.roomId === room.id && bobSocket.received.indexOf(f) >= rejoin,
    );
    expect(bobSocket.received.slice(rejoin).some((f) => f.type === "joined")).toBe(false);
    expect((await call(url1, bob, "GET", `/api/rooms/${room.id}/messages`)).status).toBe(404);
    const sendId = newClientId();
    bobSocket.send({ type: "send", roomId: room.id, clientId: sendId, body: "hello?" });
    expect(await bobSocket.waitFor((f) => f.type === "error" && f.clientId === sendId)).toMatchObject({
      code: "not_in_room",
    });
  });

  it("finds one direct conversation when it is opened from both nodes, and hides it from a third person on either", async () => {
    const [fromAlice, fromBob] = await Promise.all([
      call(node(0).url, alice, "POST", "/api/direct", { userIds: [bob.user.id] }),
      call(node(1).url, bob, "POST", "/api/direct", { userIds: [alice.user.id] }),
    ]);
    const room = fromAlice.json.room as Room;
    expect((fromBob.json.room as Room).id).toBe(room.id);
    for (const index of [0, 1]) {
      const url = node(index).url;
      expect((await call(url, carol, "GET", `/api/rooms/${room.id}/messages`)).status).toBe(404);
      expect((await call(url, carol, "GET", `/api/rooms/${room.id}/members`)).status).toBe(404);
      const carolSocket = await connect(index, carol);
      carolSocket.send({ type: "join", roomId: room.id, since: 0 });
      expect(await carolSocket.waitFor((f) => f.type === "error" && f.roomId === room.id)).toMatchObject({
        code: "unknown_room",
      });
    }
  });

  it("finds on the other node what was sent on this one, once that node's indexing batch has run", async () => {
    const general = (await call(node(0).url, alice, "GET", "/api/rooms/by-slug/general")).json.room as Room;
    const aliceSocket = await connect(0, alice);
    await aliceSocket.join(general.id);
    await say(aliceSocket, general.id, "琵琶湖の写真 lakeside");
    // Node 0 writes the postings within its indexing delay (200 ms by default); node 1 never saw
    // the send, so it is asked until then.
    const deadline = Date.now() + 10_000;
    let bodies: string[] = [];
    while (Date.now() < deadline) {
      const { json } = await call(node(1).url, bob, "GET", `/api/search?q=${encodeURIComponent("琵琶湖")}`);
      bodies = (json.results as Array<{ snippet: { text: string } }>).map((r) => r.snippet.text);
      if (bodies.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(bodies).toEqual(["琵琶湖の写真 lakeside"]);
  });

  it("notifies by the level someone just chose on the other node", async () => {
    const general = (await call(node(0).url, alice, "GET", "/api/rooms/by-slug/general")).json.room as Room;
    const aliceSocket = await connect(0, alice);
    await aliceSocket.join(general.id);
    const carolSocket = await connect(1, carol);
    await carolSocket.join(general.id);
    // Node 0 learns the room's levels (Carol: the default, mentions only) with a first message.
    await say(aliceSocket, general.id, "before the change");
    const put = await call(node(1).url, carol, "PUT", `/api/rooms/${general.id}/notification-level`, {
      level: "everything",
    });
    expect(put.status).toBe(200);
    // The change reaches node 0 over Redis; until it has, node 0 may still go by the old level.
    const deadline = Date.now() + 10_000;
    let notified = false;
    for (let n = 0; !notified && Date.now() < deadline; n++) {
      await say(aliceSocket, general.id, `after the change ${n}`);
      notified = await carolSocket
        .waitFor((f) => f.type === "notify" && f.notification.excerpt === `after the change ${n}`, 300)
        .then(() => true)
        .catch(() => false);
    }
    expect(notified).toBe(true);
  });
});
