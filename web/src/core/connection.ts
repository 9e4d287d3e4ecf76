import { type ClientFrame, ServerFrame } from "@parley/protocol";
import { reconnectDelay } from "./backoff.js";
import type { ClientSocket, Clock, OpenSocket, Random, SocketClose } from "./ports.js";

export type ConnectionStatus = "connecting" | "connected" | "reconnecting";

export interface ConnectionHandlers {
  onFrame(frame: ServerFrame): void;
  onStatus(status: ConnectionStatus): void;
  /** The server closed with 4001: the session is gone, so reconnecting would only be refused again. */
  onUnauthorized(): void;
  /**
   * A socket closed before saying hello. A rejected upgrade (expired cookie, overloaded server)
   * looks exactly like a network failure from a browser, so the owner may want to ask over HTTP.
   */
  onDroppedBeforeHello(): void;
  /** A frame that failed the protocol schema; it is ignored. */
  onInvalidFrame?(problem: string): void;
}

// A socket that opens but never greets is as good as dead; don't wait on it forever.
export const HELLO_TIMEOUT_MS = 10_000;
const CLOSE_UNAUTHORIZED = 4001;

/** The one socket of a client. Reconnects by itself, with jittered backoff, until stopped. */
export class Connection {
  private socket: ClientSocket | null = null;
  private greeted = false;
  private attempt = 0;
  private cancelRetry: (() => void) | undefined;
  private retryAt: number | undefined;
  private cancelHelloTimeout: (() => void) | undefined;
  private running = false;
  private socketNumber = 0;
  private currentStatus: ConnectionStatus = "connecting";
  /** Sockets opened after the first; for reports. */
  reconnects = 0;

  constructor(
    private readonly openSocket: OpenSocket,
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly handlers: ConnectionHandlers,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.open();
  }

  stop(): void {
    this.running = false;
    this.clearRetry();
    this.abandonSocket(1000, "client stopped");
  }

  /** Sends only on a greeted socket; false means the caller must try again after the next hello. */
  send(frame: ClientFrame): boolean {
    if (!this.socket || this.currentStatus !== "connected") return false;
    return this.socket.send(JSON.stringify(frame));
  }

  /**
   * The network is back (the browser's `online`): a long backoff wait is pointless, and an
   * attempt started while offline may hang until its hello timeout, so start over now.
   */
  reconnectNow(): void {
    if (!this.running || this.currentStatus === "connected") return;
    this.attempt = 0;
    this.abandonSocket();
    this.clearRetry();
    this.open();
  }

  /**
   * The network is gone (the browser's `offline`). A socket may not notice for a long while,
   * so give it up now: the status shows it and sends wait in the outbox.
   */
  dropNow(): void {
    if (!this.running || !this.socket) return;
    this.abandonSocket();
    this.scheduleReconnect();
  }

  /** The server asked (Retry-After) not to come back for `ms`: push the next attempt out that far. */
  honourRetryHint(ms: number): void {
    if (!this.running || this.retryAt === undefined) return;
    const earliest = this.clock.now() + ms;
    if (earliest <= this.retryAt) return;
    this.clearRetry();
    this.scheduleAt(reconnectDelay(0, this.random, ms));
  }

  private open(): void {
    this.clearRetry();
    if (this.currentStatus === "reconnecting") this.reconnects += 1;
    this.greeted = false;
    // Each socket gets its own number; events of a socket that is no longer current are ignored.
    this.socketNumber += 1;
    const number = this.socketNumber;
    const isCurrent = () => this.socketNumber === number && this.running;
    let closed = false;
    const socket = this.openSocket({
      onOpen: () => undefined,
      onText: (text) => {
        if (!isCurrent()) return;
        const frame = parseServerFrame(text);
        if (typeof frame === "string") {
          this.handlers.onInvalidFrame?.(frame);
          return;
        }
        if (frame.type === "hello" && !this.greeted) {
          this.greeted = true;
          this.attempt = 0;
          this.cancelHelloTimeout?.();
          this.setStatus("connected");
        }
        this.handlers.onFrame(frame);
      },
      onClose: (close) => {
        if (closed) return;
        closed = true;
        if (isCurrent()) this.onSocketClosed(close);
      },
    });
    // A socket that failed while being opened has already reported its close.
    if (closed) return;
    this.socket = socket;
    this.cancelHelloTimeout = this.clock.setTimeout(() => {
      if (!isCurrent() || this.greeted) return;
      this.abandonSocket(4000, "no hello");
      this.onSocketClosed({ code: 1006, reason: "no hello in time" }, false);
    }, HELLO_TIMEOUT_MS);
  }

  private onSocketClosed(close: SocketClose, wasGreeted = this.greeted): void {
    this.socket = null;
    this.cancelHelloTimeout?.();
    if (!this.running) return;
    if (close.code === CLOSE_UNAUTHORIZED) {
      this.stop();
      this.handlers.onUnauthorized();
      return;
    }
    // 4008 (too slow), 1001/1012 (server going away or restarting) and everything else: come back.
    this.scheduleReconnect(close.retryAfterMs);
    if (!wasGreeted) this.handlers.onDroppedBeforeHello();
  }

  private scheduleReconnect(hintMs?: number): void {
    // "connecting" is only the very first attempt; any later one is a reconnect.
    this.setStatus("reconnecting");
    const delay = reconnectDelay(this.attempt, this.random, hintMs);
    this.attempt += 1;
    this.clearRetry();
    this.scheduleAt(delay);
  }

  private scheduleAt(delay: number): void {
    this.retryAt = this.clock.now() + delay;
    this.cancelRetry = this.clock.setTimeout(() => this.open(), delay);
  }

  private clearRetry(): void {
    this.cancelRetry?.();
    this.cancelRetry = undefined;
    this.retryAt = undefined;
  }

  private abandonSocket(code?: number, reason?: string): void {
    const socket = this.socket;
    this.socket = null;
    this.socketNumber += 1;
    this.greeted = false;
    this.cancelHelloTimeout?.();
    // Its close, whenever it comes, is ignored: this.socket no longer points at it.
    socket?.close(code, reason);
  }

  private setStatus(status: ConnectionStatus): void {
    if (status === this.currentStatus) return;
    this.currentStatus = status;
    this.handlers.onStatus(status);
  }
}

/** The frame, or a description of why it is not one. */
export function parseServerFrame(text: string): ServerFrame | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return "a WebSocket frame that is not JSON";
  }
  const parsed = ServerFrame.safeParse(json);
  return parsed.success ? parsed.data : `an invalid server frame: ${parsed.error.message}`;
}
