import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type WebSocket, WebSocketServer } from "ws";
import { LeanWebSocket } from "../load/lean-websocket.js";
import { freePort } from "../system/ports.js";

/** The load generator's own WebSocket client, checked against `ws`, the server library Parley uses. */

interface Peer {
  url: string;
  server: Server;
  accepted: Promise<WebSocket>;
}

const servers: Server[] = [];
/** Upgraded sockets are no longer the HTTP server's: each side is ended here. */
const sockets: Array<{ terminate(): void }> = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

async function peer(refuseWith?: number): Promise<Peer> {
  const server = createServer();
  servers.push(server);
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const accepted = new Promise<WebSocket>((resolve) => {
    server.on("upgrade", (request, socket, head) => {
      if (refuseWith) {
        socket.end(`HTTP/1.1 ${refuseWith} Nope\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => {
        // The greeting goes out at once, so it can share a TCP read with the 101.
        ws.send(`hello ${request.headers.origin} ${request.url}`);
        sockets.push(ws);
        resolve(ws);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `ws://127.0.0.1:${port}/ws?user=ann`, server, accepted };
}

async function open(url: string, received: string[], onClose = () => {}) {
  const client = await LeanWebSocket.open(
    {
      url,
      headers: { Origin: "http://example.test" },
      localAddress: "127.0.0.1",
      localPort: await freePort(),
      timeoutMs: 5000,
    },
    { onText: (text) => received.push(text), onClose },
  );
  sockets.push(client);
  return client;
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(check()).toBe(true);
}

describe("the load generator's WebSocket client", () => {
  it("upgrades with its headers and exchanges text both ways", async () => {
    const { url, accepted } = await peer();
    const received: string[] = [];
    const client = await open(url, received);
    const server = await accepted;
    await until(() => received.length === 1);
    expect(received[0]).toBe("hello http://example.test /ws?user=ann");

    const heard: string[] = [];
    server.on("message", (data) => heard.push(String(data)));
    client.sendText("x".repeat(70_000));
    client.sendText("short");
    await until(() => heard.length === 2);
    expect(heard[0]).toHaveLength(70_000);
    expect(heard[1]).toBe("short");

    server.send("y".repeat(300));
    server.send("z".repeat(70_000));
    await until(() => received.length === 3);
    expect(received[1]).toBe("y".repeat(300));
    expect(received[2]).toBe("z".repeat(70_000));
  });

  it("reassembles frames split across reads and several frames in one read", async () => {
    const { url, accepted } = await peer();
    const received: string[] = [];
    await open(url, received);
    const server = await accepted;
    await until(() => received.length === 1);
    const tcp = (server as unknown as { _socket: Socket })._socket;
    const frame = (text: string) => Buffer.concat([Buffer.from([0x81, text.length]), Buffer.from(text)]);
    const two = Buffer.concat([frame("first"), frame("second")]);
    tcp.write(two.subarray(0, 1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    tcp.write(two.subarray(1, 9));
    await new Promise((resolve) => setTimeout(resolve, 20));
    tcp.write(two.subarray(9));
    await until(() => received.length === 3);
    expect(received.slice(1)).toEqual(["first", "second"]);
  });

  it("answers pings, so a server's heartbeat keeps it connected", async () => {
    const { url, accepted } = await peer();
    await open(url, []);
    const server = await accepted;
    const pong = new Promise<string>((resolve) => server.once("pong", (data) => resolve(String(data))));
    server.ping("are you there");
    expect(await pong).toBe("are you there");
  });

  it("reports a server's close once, with the close handshake answered", async () => {
    const { url, accepted } = await peer();
    let closes = 0;
    const client = await open(url, [], () => closes++);
    const server = await accepted;
    const closed = new Promise<number>((resolve) => server.once("close", (code) => resolve(code)));
    server.close(4008, "send queue full");
    expect(await closed).toBe(4008);
    await until(() => closes === 1);
    // Once the client's own TCP socket has closed, no later event can report the close again.
    const tcp = (client as unknown as { socket: Socket }).socket;
    if (!tcp.closed) await new Promise((resolve) => tcp.once("close", resolve));
    expect(closes).toBe(1);
  });

  it("rejects a refused upgrade with its status", async () => {
    const { url } = await peer(401);
    await expect(open(url, [])).rejects.toThrow("upgrade refused: 401");
  });
});
