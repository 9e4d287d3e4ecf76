import { createServer } from "node:http";
import { Server } from "socket.io";

/**
 * Baseline: a minimal Socket.IO 4 chat server, written the way its documentation shows.
 * Rooms are Socket.IO rooms and a message goes out with io.to(room).emit, which encodes
 * the packet once for all recipients. The payload mirrors Parley's message shape.
 */

interface SendPayload {
  roomId?: unknown;
  clientId?: unknown;
  body?: unknown;
}

const port = Number(process.env.PORT ?? 3200);
const host = process.env.HOST ?? "127.0.0.1";
const seqs = new Map<string, number>();

const http = createServer((request, response) => {
  if (request.url === "/healthz") {
    response.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    return;
  }
  response.writeHead(404).end();
});

// WebSocket only: the load clients never use long-polling, and Parley has no fallback either.
const io = new Server(http, { transports: ["websocket"], serveClient: false, perMessageDeflate: false });

io.on("connection", (socket) => {
  const name = socket.handshake.query.user;
  const author = { id: socket.id, name: typeof name === "string" ? name : "anonymous", image: "" };

  socket.on("join", (roomId: unknown, ack: unknown) => {
    if (typeof roomId !== "string") return;
    void socket.join(roomId);
    if (typeof ack === "function") ack({ roomId });
  });

  socket.on("send", (payload: SendPayload) => {
    const { roomId, clientId, body } = payload ?? {};
    if (typeof roomId !== "string" || !socket.rooms.has(roomId)) return;
    const seq = (seqs.get(roomId) ?? 0) + 1;
    seqs.set(roomId, seq);
    io.to(roomId).emit("message", { roomId, seq, clientId, author, body, createdAt: Date.now() });
  });
});

http.listen(port, host);
process.once("SIGTERM", () => {
  io.disconnectSockets(true);
  io.close(() => process.exit(0));
});
