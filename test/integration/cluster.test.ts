import type { Room } from "@parley/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatClient, signIn, waitUntil } from "../support/chat-client.js";
import { type Cluster, clusterDatabase, startCluster } from "../support/cluster.js";
import { startNodeProcess } from "../support/node-process.js";
import { testRedisUrl } from "../support/redis.js";

const redisUrl = testRedisUrl();
let sequence = 0;
const clientId = () => `k${Date.now().toString(36)}${(sequence++).toString(36)}`;

describe.runIf(redisUrl && clusterDatabase())("several nodes on one Redis", () => {
  let cluster: Cluster;
  const sockets: ChatClient[] = [];

  async function connect(nodeIndex: number, cookie: string) {
    const node = cluster.nodes[nodeIndex];
    if (!node) throw new Error(`no node ${nodeIndex}`);
    const socket = await ChatClient.connect(node.wsUrl, cookie);
    sockets.push(socket);
    return socket;
  }

  async function newRoom(name: string): Promise<Room> {
    const node = cluster.nodes[0];
    if (!node) throw new Error("no node");
    const { cookie } = await signIn(node.url, "Room Maker");
    const response = await fetch(`${node.url}/api/rooms`, {
      method: "POST",
      headers: { cookie, origin: node.url, "content-type": "application/json" },
      body: JSON.stringify({ name }),
    });
    return ((await response.json()) as { room: Room }).room;
  }

  beforeAll(async () => {
    cluster = await startCluster(3, redisUrl ?? "");
  });

  afterAll(async () => {
    for (const socket of sockets) socket.socket.terminate();
    await cluster?.close();
  });

  it("delivers messages across nodes in order and exactly once", async () => {
    const room = await newRoom("Across");
    const url = cluster.nodes[0]?.url ?? "";
    const people = await Promise.all(["Ann", "Ben", "Cid"].map((name) => signIn(url, name)));
    const [ann, ben, cid] = await Promise.all(people.map((person, i) => connect(i, person.cookie)));
    if (!ann || !ben || !cid) throw new Error("sockets missing");
    for (const socket of [ann, ben, cid]) await socket.join(room.id);

    const perSender = 40;
    const sentByAnn: string[] = [];
    for (let i = 0; i < perSender; i++) {
      const annId = clientId();
      sentByAnn.push(annId);
      ann.send({ type: "send", roomId: room.id, clientId: annId, body: `ann ${i}` });
      ben.send({ type: "send", roomId: room.id, clientId: clientId(), body: `ben ${i}` });
    }
    const total = perSender * 2;
    for (const socket of [ann, ben, cid]) {
      await waitUntil(() => socket.messages(room.id).length >= total, "every message on every node", 15_000);
    }
    // A fence: a room's messages arrive in seq order, so once Cid's last message is everywhere, any
    // duplicate of an earlier one would already have arrived before it.
    const fence = clientId();
    cid.send({ type: "send", roomId: room.id, clientId: fence, body: "fence" });
    for (const socket of [ann, ben, cid]) {
      await waitUntil(() => socket.messages(room.id).some((m) => m.clientId === fence), "the fence", 15_000);
    }
    for (const socket of [ann, ben, cid]) {
      const seqs = socket.messages(room.id).map((m) => m.seq);
      expect(seqs).toEqual(Array.from({ length: total + 1 }, (_, i) => i + 1));
      const annOrder = socket
        .messages(room.id)
        .filter((m) => m.author.id === people[0]?.user.id)
        .map((m) => m.clientId);
      expect(annOrder).toEqual(sentByAnn);
    }
  });

  it("shows the union of members over all nodes, a user on two nodes once", async () => {
    const room = await newRoom("Union");
    const url = cluster.nodes[0]?.url ?? "";
    const xena = await signIn(url, "Xena");
    const yuri = await signIn(url, "Yuri");
    const xenaOnA = await connect(0, xena.cookie);
    const xenaOnB = await connect(1, xena.cookie);
    const yuriOnC = await connect(2, yuri.cookie);
    await xenaOnA.join(room.id);
    await xenaOnB.join(room.id);
    const snapshot = await yuriOnC.join(room.id);
    expect(snapshot.members.map((m) => m.name).sort()).toEqual(["Xena", "Yuri"]);

    await xenaOnA.close();
    const leftXena = () =>
      yuriOnC.received.some(
        (f) => f.type === "presence" && f.roomId === room.id && f.left.includes(xena.user.id),
      );
    // A fence on the node Xena's first tab left: Late's arrival there is published after that
    // tab's departure was handled, so a wrong "Xena left" would reach Yuri before Late's join does.
    const lateUser = await signIn(url, "Late");
    const late = await connect(0, lateUser.cookie);
    expect((await late.join(room.id)).members.map((m) => m.name).sort()).toEqual(["Late", "Xena", "Yuri"]);
    await yuriOnC.waitFor(
      (f) => f.type === "presence" && f.roomId === room.id && f.joined.some((m) => m.id === lateUser.user.id),
    );
    expect(leftXena()).toBe(false);

    await xenaOnB.close();
    await waitUntil(leftXena, "Xena's leave after her last tab", 3000);
  });

  it("removes the members of a node killed with SIGKILL from every list once its beats stop", async () => {
    const room = await newRoom("Crash");
    const url = cluster.nodes[0]?.url ?? "";
    const doomedNode = await startNodeProcess(cluster.env);
    try {
      const zed = await signIn(url, "Zed");
      const watcher = await connect(2, (await signIn(url, "Watcher")).cookie);
      await watcher.join(room.id);
      const zedSocket = await ChatClient.connect(doomedNode.wsUrl, zed.cookie);
      sockets.push(zedSocket);
      await zedSocket.join(room.id);
      await watcher.waitFor((f) => f.type === "presence" && f.joined.some((m) => m.id === zed.user.id));

      const killedAt = Date.now();
      await doomedNode.kill("SIGKILL");
      await watcher.waitFor((f) => f.type === "presence" && f.left.includes(zed.user.id), 20_000);
      const tookMs = Date.now() - killedAt;
      console.info(`[parley] killed node's member left every list after ${tookMs} ms`);
      const fresh = await connect(1, (await signIn(url, "Fresh")).cookie);
      expect((await fresh.join(room.id)).members.map((m) => m.name)).not.toContain("Zed");
    } finally {
      if (doomedNode.child.exitCode === null) await doomedNode.kill("SIGKILL");
    }
  }, 30_000);
});
