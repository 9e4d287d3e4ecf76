import type { AddressInfo } from "node:net";
import { encodeFrame } from "@parley/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { FlushQueue } from "../../src/gateway/flush-queue.js";
import { Heartbeat } from "../../src/gateway/heartbeat.js";
import { SocketSubscriber } from "../../src/gateway/socket-subscriber.js";
import { waitUntil } from "../support/chat-client.js";

const MEMBER = { id: "u1", name: "Ada", image: "/a.svg" };

/** A real ws server on loopback whose server-side sockets become SocketSubscribers. */
async function socketPair(count: number, queueLimitBytes = 1024 * 1024) {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  const { port } = wss.address() as AddressInfo;
  const flushQueue = new FlushQueue();
  const subscribers: SocketSubscriber[] = [];
  wss.on("connection", (socket) => {
    subscribers.push(
      new SocketSubscriber(socket, MEMBER, "s1", queueLimitBytes, flushQueue, () => undefined),
    );
  });
  const clients = await Promise.all(
    Array.from({ length: count }, async () => {
      const client = new WebSocket(`ws://127.0.0.1:${port}`);
      const texts: string[] = [];
      const pings: number[] = [];
      client.on("message", (data) => texts.push(String(data)));
      client.on("ping", () => pings.push(Date.now()));
      await new Promise<void>((resolve, reject) => {
        client.once("open", () => resolve());
        client.once("error", reject);
      });
      return { client, texts, pings };
    }),
  );
  await waitUntil(() => subscribers.length === count, "server sockets");
  opened.push(() => {
    for (const { client } of clients) client.terminate();
    wss.close();
  });
  return { subscribers, clients };
}

/** One server-side subscriber and its client. */
async function onePair(queueLimitBytes?: number) {
  const { subscribers, clients } = await socketPair(1, queueLimitBytes);
  const [subscriber] = subscribers;
  const [client] = clients;
  if (!subscriber || !client) throw new Error("no socket pair");
  return { subscriber, ...client };
}

/** What a client does when it stops reading: the server's writes pile up in buffers. */
function pauseReading(client: WebSocket): void {
  (client as unknown as { _socket: { pause(): void } })._socket.pause();
}

const opened: Array<() => void> = [];
afterEach(() => {
  for (const close of opened.splice(0)) close();
});

const frame = (n: number) => encodeFrame({ type: "error", code: "internal", message: `frame ${n}` });

describe("writes to a socket", () => {
  it("sends the frames of one turn together, in the order they were delivered", async () => {
    const { subscriber, texts } = await onePair();
    for (let n = 1; n <= 5; n++) subscriber.deliver(frame(n));
    for (let n = 6; n <= 8; n++) {
      await Promise.resolve();
      subscriber.deliver(frame(n));
    }
    await waitUntil(() => texts.length === 8, "eight frames");
    expect(texts.map((text) => JSON.parse(text).message)).toEqual(
      Array.from({ length: 8 }, (_, i) => `frame ${i + 1}`),
    );
  });

  it("writes what was delivered before closing, then closes with the code given", async () => {
    const { subscriber, client, texts } = await onePair();
    const closed = new Promise<number>((resolve) => client.once("close", (code) => resolve(code)));
    subscriber.deliver(frame(1));
    subscriber.close(4001, "session ended");
    expect(await closed).toBe(4001);
    expect(texts.map((text) => JSON.parse(text).message)).toEqual(["frame 1"]);
  });

  it("closes a socket whose unsent backlog passes the cap, counting every frame of the turn", async () => {
    const { subscriber, client } = await onePair(64 * 1024);
    const closed = new Promise<number>((resolve) => client.once("close", (code) => resolve(code)));
    pauseReading(client);
    const big = encodeFrame({ type: "error", code: "internal", message: "x".repeat(16 * 1024) });
    for (let turn = 0; turn < 400 && subscriber.socket.readyState === WebSocket.OPEN; turn++) {
      for (let i = 0; i < 4; i++) subscriber.deliver(big);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(subscriber.socket.readyState).not.toBe(WebSocket.OPEN);
    (client as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await closed).toBe(4008);
  });
});

describe("the heartbeat", () => {
  it("pings every live socket once per interval, keeps them, and frees one that stops answering", async () => {
    const { subscribers, clients } = await socketPair(25);
    const heartbeat = new Heartbeat(200);
    try {
      for (const subscriber of subscribers) heartbeat.add(subscriber);
      const [silent] = clients;
      if (!silent) throw new Error("no clients");
      // A paused socket neither reads pings nor answers them, like a dead peer.
      pauseReading(silent.client);
      for (const subscriber of subscribers)
        subscriber.socket.on("pong", () => {
          subscriber.alive = true;
        });
      // The silent socket is terminated on the second beat that finds it has not answered; by
      // then, and after a few more beats, every live socket has been pinged and is still open.
      await waitUntil(
        () => subscribers[0]?.socket.readyState === WebSocket.CLOSED,
        "the silent socket freed",
      );
      const live = clients.slice(1);
      await waitUntil(() => live.every(({ pings }) => pings.length >= 3), "three pings on every live socket");
      expect(subscribers.slice(1).every((s) => s.socket.readyState === WebSocket.OPEN)).toBe(true);
    } finally {
      heartbeat.stop();
    }
  });
});
