import type { Message } from "@parley/protocol";
import WebSocket from "ws";
import {
  ChatCore,
  type ClientSocket,
  type Clock,
  type HttpFetch,
  type OpenSocket,
  type PageControl,
  parseRetryAfter,
  type Random,
  resumeCursor,
} from "../../web/src/core/index.js";
import { MemoryStorage } from "../../web/src/core/testing/fakes.js";

/** The core's ports in Node: `ws` for the socket, real timers, fetch with the session cookie. */

export const nodeClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};

export function nodeFetch(baseUrl: string, cookie: string): HttpFetch {
  return (path, request) =>
    fetch(`${baseUrl}${path}`, { ...request, headers: { ...request.headers, cookie, origin: baseUrl } });
}

/**
 * Opens `ws` sockets with the session cookie, to the next URL of `wsUrls` each time (so a client
 * moves to another node after a drop). A refused upgrade's Retry-After reaches the core as a hint.
 */
export type NodeSocket = ClientSocket & {
  /** Cuts the connection without a close handshake, as a lost network would. */
  terminate(): void;
};

export function nodeOpenSocket(
  wsUrls: readonly string[],
  cookie: string,
  firstNode = 0,
): (handlers: Parameters<OpenSocket>[0]) => NodeSocket {
  let next = firstNode;
  return (handlers) => {
    const url = wsUrls[next++ % wsUrls.length] as string;
    const origin = new URL(url).origin.replace(/^ws/, "http");
    const socket = new WebSocket(url, { headers: { cookie, origin } });
    let retryAfterMs: number | undefined;
    socket.on("open", () => handlers.onOpen());
    socket.on("message", (data, isBinary) => {
      if (!isBinary) handlers.onText(data.toString());
    });
    socket.on("unexpected-response", (_request, response) => {
      retryAfterMs = parseRetryAfter(response.headers["retry-after"] ?? null, Date.now());
      socket.terminate();
    });
    socket.on("error", () => undefined);
    socket.on("close", (code, reason) => handlers.onClose({ code, reason: reason.toString(), retryAfterMs }));
    const client: NodeSocket = {
      terminate: () => socket.terminate(),
      send(text) {
        if (socket.readyState !== WebSocket.OPEN) return false;
        socket.send(text);
        return true;
      },
      close(code, reason) {
        if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
        else socket.close(code, reason);
      },
    };
    return client;
  };
}

const quietPage: PageControl = {
  toSignIn: () => undefined,
  reload: () => undefined,
  signedOut: () => undefined,
  isVisible: () => true,
};

let clients = 0;

/**
 * The shipped client core, run in Node for integration tests: the same reconnect, resume and
 * outbox code as the browser, behind a network switch that can cut the connection for a while.
 */
export class NodeChatClient {
  readonly core: ChatCore;
  private socket: NodeSocket | undefined;
  private offlineUntil = 0;
  /**
   * Live messages that arrived on one socket after a later one of their room, or twice, seen on
   * the raw frames. Not an error: after its reorder wait a node delivers past a gap, and a resume
   * may repeat what arrived live; the core merges by seq. Counted so the chaos test can say how often.
   */
  readonly repeatedOrLate: string[] = [];
  private lastSeqOnSocket = new Map<string, number>();

  constructor(options: { wsUrls: readonly string[]; httpUrl: string; cookie: string; random: Random }) {
    const open = nodeOpenSocket(options.wsUrls, options.cookie, clients++);
    // The network switch: while "offline", every attempt fails as a lost connection would.
    const openSocket: OpenSocket = (handlers) => {
      if (Date.now() < this.offlineUntil) {
        setImmediate(() => handlers.onClose({ code: 1006, reason: "offline" }));
        return { send: () => false, close: () => undefined };
      }
      this.socket = open({ ...handlers, onText: (text) => this.watchOrder(text, handlers.onText) });
      return this.socket;
    };
    this.core = new ChatCore({
      openSocket,
      clock: nodeClock,
      storage: new MemoryStorage(),
      http: nodeFetch(options.httpUrl, options.cookie),
      page: quietPage,
      random: options.random,
    });
  }

  start(): void {
    this.core.start();
  }

  stop(): void {
    this.core.stop();
  }

  get connected(): boolean {
    return this.core.getState().status === "connected";
  }

  /** Keeps the room joined through every reconnect. */
  watch(roomId: string): void {
    this.core.watchRoom(roomId);
  }

  send(roomId: string, body: string): void {
    const refusal = this.core.send(roomId, body);
    if (refusal) throw new Error(`refused locally: ${refusal.code}`);
  }

  /** The room's first `joined` has arrived: from here on its history is continuous. */
  hasLoaded(roomId: string): boolean {
    return this.core.getState().roomStates[roomId]?.loaded ?? false;
  }

  /** Messages not yet committed (pending or failed). */
  get pending(): number {
    return this.core.getState().outbox.length;
  }

  /** The connection is cut without a goodbye; attempts fail until `pauseMs` has passed. */
  drop(pauseMs = 0): void {
    this.offlineUntil = Date.now() + pauseMs;
    this.socket?.terminate();
  }

  /** Passes a frame on, noting a live message that does not follow the last one of its room on this socket. */
  private watchOrder(text: string, onText: (text: string) => void): void {
    const frame = JSON.parse(text) as {
      type?: string;
      roomId?: string;
      message?: Message;
      messages?: Message[];
      room?: { id: string };
    };
    if (frame.type === "hello") this.lastSeqOnSocket = new Map();
    if (frame.type === "joined" && frame.room) {
      this.lastSeqOnSocket.set(frame.room.id, frame.messages?.at(-1)?.seq ?? -1);
    }
    if (frame.type === "message" && frame.message) {
      const { roomId, seq } = frame.message;
      const last = this.lastSeqOnSocket.get(roomId);
      if (last !== undefined && last >= 0 && seq <= last) {
        this.repeatedOrLate.push(`room ${roomId}: seq ${seq} after ${last} on one socket`);
      }
      if (last === undefined || seq > last) this.lastSeqOnSocket.set(roomId, seq);
    }
    onText(text);
  }

  messages(roomId: string): readonly Message[] {
    return this.core.getState().roomStates[roomId]?.messages ?? [];
  }

  /** The highest seq such that every message from seq 1 up to it is held. */
  lastSeq(roomId: string): number {
    const messages = this.messages(roomId);
    return messages[0]?.seq === 1 ? (resumeCursor(messages) ?? 0) : 0;
  }

  /** clientId → seq of this user's own committed messages in the rooms it holds. */
  ownCommitted(roomIds: readonly string[]): Map<string, number> {
    const me = this.core.getState().me;
    const own = new Map<string, number>();
    for (const roomId of roomIds) {
      for (const message of this.messages(roomId)) {
        if (message.author.id === me?.id) own.set(message.clientId, message.seq);
      }
    }
    return own;
  }

  get reconnects(): number {
    return this.core.reconnects;
  }
}
