import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import {
  type ClientFrame,
  CloseCode,
  type ErrorCode,
  encodeFrame,
  MAX_INBOUND_FRAME_BYTES,
  WEBSOCKET_PATH,
} from "@parley/protocol";
import type { FastifyInstance } from "fastify";
import { type WebSocket, WebSocketServer } from "ws";
import type { SignedIn } from "../auth/current-user.js";
import { isAllowedOrigin } from "../auth/origin.js";
import type { Sessions } from "../auth/sessions.js";
import type { ChatService } from "../chat/chat-service.js";
import type { Participant } from "../chat/participant.js";
import { isDependencyUnavailable } from "../chat/unavailable.js";
import { securityHeaderValues } from "../http/security-headers.js";
import {
  asUnavailable,
  type DownDependency,
  UNAVAILABLE_RETRY_AFTER_SECONDS,
} from "../http/unavailable-errors.js";
import type { ConnectAdmission } from "./connect-admission.js";
import { ConnectionSlots } from "./connection-slots.js";
import { FlushQueue } from "./flush-queue.js";
import { parseClientFrame } from "./frame-parser.js";
import { Heartbeat } from "./heartbeat.js";
import { SocketSubscriber } from "./socket-subscriber.js";
import { refuseUpgrade } from "./upgrade-refusal.js";

export interface GatewayOptions {
  chat: ChatService;
  /** Who a socket belongs to, and when that session ends (on any node). */
  sessions: Sessions;
  publicUrl: string;
  sendQueueLimitBytes: number;
  heartbeatIntervalMs: number;
  metrics: GatewayMetrics;
  /** Open sockets one person may hold (on this node, and over all nodes with sharedConnectionCounts); the next upgrade is refused with 429. */
  maxConnectionsPerUser: number;
  /** Counts over every node (Redis); without it, or while it is away, the cap holds per node. */
  sharedConnectionCounts?: SharedConnectionCounts;
  /** The name of a dependency that is down right now, if any (see asUnavailable). */
  down?: DownDependency;
  /** Upgrades this node starts per second; past it they are refused with 503 and Retry-After. */
  admission?: ConnectAdmission;
  // --- presence status (admin slice) ---
  /** A person reported activity on a socket (at most once per `activityReportMs` per socket). */
  onActive?: (userId: string, timeZone: string | undefined) => Promise<void>;
  /** Told to clients in `hello`; `active` frames closer together than half of it are ignored. */
  activityReportMs?: number;
  awayAfterMs?: number;
}

/** What the gateway counts; the metrics adapter decides where it goes. */
export interface GatewayMetrics {
  connectionOpened(): void;
  connectionClosed(): void;
  slowClientClosed(): void;
  /** An upgrade was refused with an HTTP status, before any socket existed. */
  upgradeRefused(reason: string): void;
  /** An error frame with this code was sent to a client (here: frames that did not parse). */
  refused(code: ErrorCode): void;
}

/** Open sockets per person across all nodes. */
export interface SharedConnectionCounts {
  /** True when the person had fewer than `limit` sockets (and now holds one more). */
  take(userId: string, limit: number): Promise<boolean>;
  release(userId: string): void;
}

export interface Gateway {
  /** Closes every socket, e.g. on shutdown, with a code that tells clients to reconnect. */
  closeAll(code: number, reason: string): void;
  connectionCount(): number;
}

/** Seconds a person over the connection cap is told to wait: about the time to close a stale tab. */
export const TOO_MANY_CONNECTIONS_RETRY_AFTER_SECONDS = 30;
const BUSY_MESSAGE = "The server is taking in many connections at once; come back after Retry-After seconds.";

function dispatch(
  participant: Participant,
  frame: ClientFrame,
  onActive: () => Promise<void>,
): Promise<void> {
  switch (frame.type) {
    case "active":
      return onActive();
    case "join":
      return participant.join(frame);
    case "leave":
      return participant.leave(frame.roomId);
    case "send":
      return participant.send(frame);
    case "read":
      return participant.read(frame);
    // notify slice
    case "typing":
      return participant.typing(frame);
    // edits (issue 15 part A)
    case "edit":
      return participant.edit(frame);
    case "delete":
      return participant.delete(frame);
    case "react":
      return participant.react(frame);
  }
}

/**
 * The WebSocket edge: checks Origin and session on the HTTP upgrade itself (a refusal is a real
 * 403 or 401), parses frames and hands them to the domain. It takes the server's `upgrade` event
 * directly rather than routing it through fastify, so no request, reply or logger object stays
 * alive for the life of each socket (see docs/decisions/0004-websocket-upgrade-outside-fastify.md).
 */
export function registerGateway(app: FastifyInstance, options: GatewayOptions): Gateway {
  const sockets = new Set<SocketSubscriber>();
  const flushQueue = new FlushQueue();
  const heartbeat = new Heartbeat(options.heartbeatIntervalMs);
  const log = app.log;
  const slots = new ConnectionSlots(options.maxConnectionsPerUser);
  const securityHeaders = securityHeaderValues(options.publicUrl);
  const refuse = (
    socket: Duplex,
    status: number,
    error: string,
    message: string,
    headers?: Record<string, string>,
  ) => {
    options.metrics.upgradeRefused(error);
    refuseUpgrade(socket, status, error, message, securityHeaders, headers);
  };
  const busy = (socket: Duplex, waitSeconds: number) =>
    refuse(socket, 503, "busy", BUSY_MESSAGE, { "Retry-After": String(waitSeconds) });
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_INBOUND_FRAME_BYTES,
    perMessageDeflate: false,
    clientTracking: false,
  });

  function accept(socket: WebSocket, signedIn: SignedIn): void {
    const subscriber = new SocketSubscriber(
      socket,
      signedIn.member,
      signedIn.sessionId,
      options.sendQueueLimitBytes,
      flushQueue,
      options.metrics.slowClientClosed,
    );
    // On every log line about this socket, so one connection's story can be followed; kept
    // as one small object per socket rather than a child logger (see decision 0004).
    const logFields = { connectionId: subscriber.connectionId, userId: signedIn.member.id };
    log.info(logFields, "socket opened");
    sockets.add(subscriber);
    options.metrics.connectionOpened();
    options.sessions.watch(signedIn.sessionId);
    heartbeat.add(subscriber);
    const participant = options.chat.participant(subscriber, {
      ...(options.activityReportMs !== undefined && { activityReportMs: options.activityReportMs }),
      ...(options.awayAfterMs !== undefined && { awayAfterMs: options.awayAfterMs }),
    });
    // A client may report activity at most about once per interval; more often is ignored.
    let lastActiveReport = Number.NEGATIVE_INFINITY;
    // The time zone goes on only when it is new for this socket: it is stored, not needed every minute.
    let reportedTimeZone: string | undefined;
    const minReportGapMs = (options.activityReportMs ?? 0) / 2;
    socket.on("message", (data, isBinary) => {
      const parsed = parseClientFrame(data, isBinary);
      if (!parsed.ok) {
        options.metrics.refused("bad_frame");
        subscriber.deliver(encodeFrame({ type: "error", code: "bad_frame", message: parsed.message }));
        return;
      }
      const frame = parsed.frame;
      const onActive = async () => {
        const now = Date.now();
        if (frame.type !== "active" || !options.onActive || now - lastActiveReport < minReportGapMs) return;
        lastActiveReport = now;
        const timeZone = frame.timeZone !== reportedTimeZone ? frame.timeZone : undefined;
        reportedTimeZone = frame.timeZone ?? reportedTimeZone;
        await options.onActive(signedIn.member.id, timeZone);
      };
      dispatch(participant, frame, onActive).catch((error: unknown) => {
        // The client got its error frame; an outage is logged once by the dependency's health.
        if (!isDependencyUnavailable(error))
          log.error({ ...logFields, err: error, frame: parsed.frame.type }, "frame failed");
      });
    });
    socket.on("pong", () => {
      subscriber.alive = true;
    });
    socket.on("error", (error) => log.debug({ ...logFields, err: error }, "socket error"));
    socket.on("close", (code) => {
      log.info({ ...logFields, code }, "socket closed");
      sockets.delete(subscriber);
      options.metrics.connectionClosed();
      options.sessions.unwatch(signedIn.sessionId);
      heartbeat.remove(subscriber);
      participant.disconnect().catch((error: unknown) => {
        if (!isDependencyUnavailable(error)) log.error({ ...logFields, err: error }, "disconnect failed");
      });
    });
  }

  async function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    if (!isAllowedOrigin(request.headers.origin, request.headers.host, options.publicUrl)) {
      return refuse(socket, 403, "forbidden_origin", "This origin may not connect.");
    }
    const wait = options.admission?.admit();
    if (wait !== undefined) return busy(socket, wait);
    const signedIn = await options.sessions.lookup(request.headers);
    if (!signedIn) return refuse(socket, 401, "unauthorized", "Sign in first.");
    if (socket.destroyed) return;
    const userId = signedIn.member.id;
    const tooMany = () =>
      refuse(
        socket,
        429,
        "too_many_connections",
        `You already have ${slots.limit} connections open; close some tabs or devices and try again.`,
        { "Retry-After": String(TOO_MANY_CONNECTIONS_RETRY_AFTER_SECONDS) },
      );
    if (!slots.take(userId)) return tooMany();
    const shared = options.sharedConnectionCounts;
    let sharedSlot = false;
    let closed = false;
    // The TCP connection closes exactly once, whether or not the upgrade completes.
    socket.once("close", () => {
      closed = true;
      slots.release(userId);
      if (sharedSlot) shared?.release(userId);
    });
    if (shared) {
      let allowed = true;
      try {
        allowed = await shared.take(userId, slots.limit);
        sharedSlot = allowed;
      } catch {
        // Redis is away: the cap on this node still holds.
      }
      if (closed) {
        if (sharedSlot) shared.release(userId);
        return;
      }
      if (!allowed) return tooMany();
      // Gone meanwhile but not yet closed: its close gives both slots back.
      if (socket.destroyed) return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => accept(ws, signedIn));
  }

  app.server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => undefined);
    if (new URL(request.url ?? "/", "http://localhost").pathname !== WEBSOCKET_PATH) {
      return refuse(socket, 404, "not_found", `WebSocket connections go to ${WEBSOCKET_PATH}.`);
    }
    upgrade(request, socket, head).catch((error: unknown) => {
      const unavailable = asUnavailable(error, options.down ?? (() => undefined));
      if (unavailable) {
        return refuse(
          socket,
          503,
          "unavailable",
          `The server cannot reach its ${unavailable.dependency} right now. Try again shortly.`,
          { "Retry-After": String(UNAVAILABLE_RETRY_AFTER_SECONDS) },
        );
      }
      log.error({ err: error }, "upgrade failed");
      refuse(socket, 500, "internal", "The server could not accept the connection.");
    });
  });

  // A browser cannot read the status of a refused upgrade; after a socket dies unopened, the
  // client asks this same URL over plain HTTP whether it was turned away for load, and for how long.
  app.get(WEBSOCKET_PATH, async (_request, reply) => {
    const wait = options.admission?.currentWait();
    if (wait !== undefined) {
      return reply
        .code(503)
        .header("Retry-After", String(wait))
        .send({ error: "busy", message: BUSY_MESSAGE });
    }
    return reply
      .code(426)
      .header("Upgrade", "websocket")
      .send({ error: "upgrade_required", message: "Connect here with a WebSocket upgrade." });
  });

  app.addHook("onClose", async () => {
    heartbeat.stop();
    wss.close();
  });

  // A session ended on any node (sign-out, revocation, expiry found by the sweep): close its sockets here.
  options.sessions.onEnded((sessionId) => {
    for (const subscriber of sockets) {
      if (subscriber.sessionId === sessionId) subscriber.close(CloseCode.sessionEnded, "session ended");
    }
  });

  return {
    closeAll(code, reason) {
      for (const subscriber of sockets) subscriber.close(code, reason);
    },
    connectionCount: () => sockets.size,
  };
}
