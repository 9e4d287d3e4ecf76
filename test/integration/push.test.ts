import { PushPayload, type Room } from "@parley/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatClient, signIn, waitUntil } from "../support/chat-client.js";
import { testDatabases } from "../support/databases.js";
import { startServer, type TestServer } from "../support/parley-server.js";
import { type FakeDevice, PushServiceStandIn } from "../support/push-service.js";

let clientSeq = 0;
const nextClientId = () => `p${Date.now().toString(36)}${(clientSeq++).toString(36)}`;

async function post(server: TestServer, cookie: string, path: string, body: unknown): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { cookie, "content-type": "application/json", origin: server.url },
    body: JSON.stringify(body),
  });
}

const subscription = (device: FakeDevice) => ({ endpoint: device.endpoint, keys: device.keys });

describe.each(testDatabases())("Web Push to a push-service stand-in on $name", (database) => {
  let server: TestServer;
  let drop: () => Promise<void>;
  let push: PushServiceStandIn;

  beforeAll(async () => {
    const created = await database.create();
    drop = created.drop;
    server = await startServer({ databaseUrl: created.url });
    const someone = await signIn(server.url, "Key reader");
    const key = await fetch(`${server.url}/api/push/public-key`, { headers: { cookie: someone.cookie } });
    const { publicKey } = (await key.json()) as { publicKey: string };
    push = new PushServiceStandIn(publicKey);
    await push.start();
  });

  afterAll(async () => {
    await push?.stop();
    await server?.close();
    await drop?.();
  });

  it("pushes a mention to each of the person's devices, signed and encrypted; a 410 removes that device", async () => {
    const aiko = await signIn(server.url, "Aiko");
    const ben = await signIn(server.url, "Ben");
    const created = await post(server, aiko.cookie, "/api/rooms", { name: "Push room" });
    const { room } = (await created.json()) as { room: Room };
    const phone = push.device("ben-phone");
    const laptop = push.device("ben-laptop");
    for (const device of [phone, laptop]) {
      expect((await post(server, ben.cookie, "/api/push/subscriptions", subscription(device))).status).toBe(
        201,
      );
    }
    const aikoSocket = await ChatClient.connect(server.wsUrl, aiko.cookie);
    const benSocket = await ChatClient.connect(server.wsUrl, ben.cookie);
    try {
      await benSocket.join(room.id);
      benSocket.socket.terminate(); // Ben closes the tab: only push reaches him now.
      await aikoSocket.join(room.id);
      aikoSocket.send({
        type: "send",
        roomId: room.id,
        clientId: nextClientId(),
        body: "@Ben the build is red",
      });
      await waitUntil(() => push.received.length >= 2, "two pushes");
      expect(push.rejected).toEqual([]);
      expect(push.received.map((entry) => entry.device).sort()).toEqual(["ben-laptop", "ben-phone"]);
      for (const entry of push.received) {
        const payload = PushPayload.parse(JSON.parse(entry.payload));
        expect(payload).toEqual({
          title: "Aiko · #Push room",
          body: "@Ben the build is red",
          url: `/r/${room.slug}?m=1`,
          tag: `${room.id}:1`,
        });
        expect(entry.claims.sub).toMatch(/^(mailto:|https:)/);
      }

      // The phone unsubscribed at the push service: the next push gets 410 and the server forgets it.
      push.unsubscribeAtService("ben-phone");
      aikoSocket.send({ type: "send", roomId: room.id, clientId: nextClientId(), body: "@Ben still red" });
      await waitUntil(() => push.received.length >= 3, "a third push");
      const rows = async () =>
        (await server.parley.db.selectFrom("push_subscriptions").select("endpoint").execute()).map(
          (row) => row.endpoint,
        );
      await expect.poll(rows).toEqual([laptop.endpoint]);
      // A third message goes only to the laptop.
      aikoSocket.send({ type: "send", roomId: room.id, clientId: nextClientId(), body: "@Ben green again" });
      await waitUntil(() => push.received.length >= 4, "a fourth push");
      expect(push.received.at(-1)?.device).toBe("ben-laptop");
      expect(push.received.filter((entry) => entry.device === "ben-phone")).toHaveLength(1);
    } finally {
      aikoSocket.socket.terminate();
    }
  });

  it("keeps subscriptions per device, lets only their owner remove them, and refuses bad ones", async () => {
    const cy = await signIn(server.url, "Cy");
    const eve = await signIn(server.url, "Eve");
    const device = push.device("cy-tablet");
    expect((await post(server, cy.cookie, "/api/push/subscriptions", subscription(device))).status).toBe(201);
    // Subscribing the same device again keeps one row.
    expect((await post(server, cy.cookie, "/api/push/subscriptions", subscription(device))).status).toBe(201);
    const count = async () =>
      (
        await server.parley.db
          .selectFrom("push_subscriptions")
          .select("user_id")
          .where("user_id", "=", cy.user.id)
          .execute()
      ).length;
    expect(await count()).toBe(1);
    // Someone else cannot remove Cy's device by naming its endpoint.
    expect(
      (await post(server, eve.cookie, "/api/push/unsubscribe", { endpoint: device.endpoint })).status,
    ).toBe(204);
    expect(await count()).toBe(1);
    expect(
      (await post(server, cy.cookie, "/api/push/unsubscribe", { endpoint: device.endpoint })).status,
    ).toBe(204);
    expect(await count()).toBe(0);

    const bad = await post(server, cy.cookie, "/api/push/subscriptions", { endpoint: "not a url", keys: {} });
    expect(bad.status).toBe(400);
    const anonymous = await fetch(`${server.url}/api/push/subscriptions`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.url },
      body: JSON.stringify(subscription(device)),
    });
    expect(anonymous.status).toBe(401);
  });
});

describe("the service worker", () => {
  it("is served from the root (scope /) as JavaScript that is never cached long", async () => {
    const server = await startServer();
    try {
      const response = await fetch(`${server.url}/sw.js`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/javascript/);
      expect(response.headers.get("cache-control")).toBe("no-cache");
      const script = await response.text();
      expect(script).toContain('addEventListener("push"');
      expect(script).toContain('addEventListener("notificationclick"');
    } finally {
      await server.close();
    }
  });
});

describe("push endpoints in production", () => {
  it("accepts only https endpoints, so the server never posts to an inside address", async () => {
    const { TEST_VAPID_KEYS } = await import("../support/vapid.js");
    const server = await startServer({
      env: {
        NODE_ENV: "production",
        ...TEST_VAPID_KEYS,
        AUTH_SECRET: "f3Kq9zR1vB7xYt2LmN8pQw4sHc6jUe0a",
        DEV_SIGN_IN: "true",
      },
    });
    try {
      const user = await signIn(server.url, "Prod");
      const device = {
        endpoint: "http://127.0.0.1:6379/push",
        keys: { p256dh: "B".repeat(87), auth: "A".repeat(22) },
      };
      const refused = await post(server, user.cookie, "/api/push/subscriptions", device);
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { message: string }).message).toContain("https://");
      const key = await fetch(`${server.url}/api/push/public-key`, { headers: { cookie: user.cookie } });
      expect(await key.json()).toEqual({ publicKey: TEST_VAPID_KEYS.VAPID_PUBLIC_KEY });
    } finally {
      await server.close();
    }
  });
});
