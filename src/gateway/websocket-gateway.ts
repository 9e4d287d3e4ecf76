import fastifyWebsocket from "@fastify/websocket";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Auth } from "../auth/auth.js";
import { currentUser, type SignedIn } from "../auth/current-user.js";
import type { ChatService } from "../chat/chat-service.js";
import { encodeFrame } from "../chat/hub.js";
import type { Participant } from "../chat/participant.js";
import type { Bus } from "../chat/ports.js";
import type { ClientFrame } from "../protocol/index.js";
import { CloseCode } from "./close-codes.js";
import { parseClientFrame } from "./frame-parser.js";
import { isAllowedOrigin } from "./origin.js";
import { SocketSubscriber } from "./socket-subscriber.js";

export interface GatewayOptions {
  chat: ChatService;
  bus: Bus;
  auth: Auth;
  publicUrl: string;
  sendQueueLimitBytes: number;
  heartbeatIntervalMs: number;
  onSlowClientClosed(): void;
}

export interface Gateway {
  /** Closes every socket, e.g. on shutdown, with a code that tells clients to reconnect. */
  closeAll(code: number, reason: string): void;
  connectionCount(): number;
}

const MAX_PAYLOAD_BYTES = 1024 * 1024;
const signedInByRequest = new WeakMap<FastifyRequest, SignedIn>();

function dispatch(participant: Participant, frame: ClientFrame): Promise<void> {
  switch (frame.type) {
    case "join":
      return participant.join(frame);
    case "leave":
      return participant.leave(frame.roomId);
    case "send":
      return participant.send(frame);
    case "read":
      return participant.read(frame);
  }
}

/** The WebSocket edge: refuses before the upgrade, parses frames, hands them to the domain. */
export async function registerGateway(app: FastifyInstance, options: GatewayOptions): Promise<Gateway> {
  const sockets = new Set<SocketSubscriber>();
  await app.register(fastifyWebsocket, {
    options: { maxPayload: MAX_PAYLOAD_BYTES, perMessageDeflate: false },
  });

  app.get(
    "/ws",
    {
      websocket: true,
      preValidation: async (request, reply) => {
        if (!isAllowedOrigin(request.headers.origin, request.headers.host, options.publicUrl)) {
          return reply.code(403).send({ error: "forbidden_origin", message: "This origin may not connect." });
        }
        const signedIn = await currentUser(options.auth, request.headers);
        if (!signedIn) return reply.code(401).send({ error: "unauthorized", message: "Sign in first." });
        signedInByRequest.set(request, signedIn);
      },
    },
    (socket, request) => {
      const signedIn = signedInByRequest.get(request);
      if (!signedIn) return socket.close(CloseCode.sessionEnded, "no session");
      const subscriber = new SocketSubscriber(
        socket,
        signedIn.member,
        signedIn.sessionId,
        options.sendQueueLimitBytes,
        options.onSlowClientClosed,
      );
      sockets.add(subscriber);
      const participant = options.chat.participant(subscriber);
      socket.on("message", (data, isBinary) => {
        const parsed = parseClientFrame(data, isBinary);
        if (!parsed.ok) {
          subscriber.deliver(encodeFrame({ type: "error", code: "bad_frame", message: parsed.message }));
          return;
        }
        dispatch(participant, parsed.frame).catch((error: unknown) => {
          request.log.error({ err: error, frame: parsed.frame.type }, "frame failed");
        });
      });
      socket.on("pong", () => {
        subscriber.alive = true;
      });
      socket.on("close", () => {
        sockets.delete(subscriber);
        participant
          .disconnect()
          .catch((error: unknown) => request.log.error({ err: error }, "disconnect failed"));
      });
    },
  );

  // A socket that missed a whole interval without answering a ping is dead: free it.
  const heartbeat = setInterval(() => {
    for (const subscriber of sockets) {
      if (!subscriber.alive) {
        subscriber.socket.terminate();
        continue;
      }
      subscriber.alive = false;
      subscriber.socket.ping();
    }
  }, options.heartbeatIntervalMs);
  heartbeat.unref();
  app.addHook("onClose", async () => clearInterval(heartbeat));

  // A session ended on any node (sign-out, "sign out everywhere", a deleted user): close its sockets here.
  options.bus.subscribe((event) => {
    if (event.kind !== "session_ended") return;
    for (const subscriber of sockets) {
      if (subscriber.sessionId === event.sessionId)
        subscriber.socket.close(CloseCode.sessionEnded, "session ended");
    }
  });

  return {
    closeAll(code, reason) {
      for (const subscriber of sockets) subscriber.socket.close(code, reason);
    },
    connectionCount: () => sockets.size,
  };
}
