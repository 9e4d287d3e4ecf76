import { createServer } from "node:http";
import { type WebSocket, WebSocketServer } from "ws";

/**
 * Baseline: the least a WebSocket chat relay can do. No auth, no storage, no validation
 * beyond JSON.parse. Frames mirror Parley's shapes (same `message` payload with author,
 * seq and createdAt) so bytes on the wire are comparable; each broadcast is serialised
 * once and the same string is sent to every member, as Parley's hub does.
 */

interface Author {
  id: string;
  name: string;
  image: string;
}

const port = Number(process.env.PORT ?? 3100);
const host = process.env.HOST ?? "127.0.0.1";

const rooms = new Map<string, Set<WebSocket>>();
const seqs = new Map<string, number>();
let nextUserId = 1;

const http = createServer((request, response) => {
  if (request.url === "/healthz") {
    response.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    return;
  }
  response.writeHead(404).end();
});

const wss = new WebSocketServer({
  server: http,
  path: "/ws",
  perMessageDeflate: false,
  maxPayload: 64 * 1024,
});

wss.on("connection", (socket, request) => {
  const name = new URL(request.url ?? "/", "http://x").searchParams.get("user") ?? "anonymous";
  const author: Author = { id: `u${nextUserId++}`, name, image: "" };
  const joined = new Set<string>();
  socket.send(JSON.stringify({ type: "hello", user: author }));

  socket.on("message", (data) => {
    let frame: { type?: string; roomId?: string; clientId?: string; body?: string };
    try {
      frame = JSON.parse(data.toString());
    } catch {
      return;
    }
    const roomId = frame.roomId;
    if (typeof roomId !== "string") return;
    if (frame.type === "join") {
      let members = rooms.get(roomId);
      if (!members) {
        members = new Set();
        rooms.set(roomId, members);
      }
      members.add(socket);
      joined.add(roomId);
      socket.send(JSON.stringify({ type: "joined", roomId }));
    } else if (frame.type === "send" && joined.has(roomId)) {
      const seq = (seqs.get(roomId) ?? 0) + 1;
      seqs.set(roomId, seq);
      const message = {
        roomId,
        seq,
        clientId: frame.clientId,
        author,
        body: frame.body,
        createdAt: Date.now(),
      };
      const data = JSON.stringify({ type: "message", message });
      for (const member of rooms.get(roomId) ?? []) {
        if (member.readyState === member.OPEN) member.send(data);
      }
    }
  });

  socket.on("close", () => {
    for (const roomId of joined) rooms.get(roomId)?.delete(socket);
  });
});

http.listen(port, host);
process.once("SIGTERM", () => {
  for (const client of wss.clients) client.terminate();
  http.close(() => process.exit(0));
});
