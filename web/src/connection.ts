import { type ClientFrame, ServerFrame } from "@parley/protocol";

export type ConnectionStatus = "connecting" | "connected" | "reconnecting";

export interface ConnectionHandlers {
  onFrame(frame: ServerFrame): void;
  onStatus(status: ConnectionStatus): void;
  /** The server closed with 4001: the session is gone, so reconnecting would only be refused again. */
  onUnauthorized(): void;
  /**
   * A socket closed before saying hello. A rejected upgrade (expired cookie) looks exactly
   * like a network failure from the browser, so the owner may want to check the session.
   */
  onDroppedBeforeHello(): void;
}

const BACKOFF_START_MS = 300;
const BACKOFF_CAP_MS = 10_000;
// A socket that opens but never greets is as good as dead; don't wait on it forever.
const HELLO_TIMEOUT_MS = 10_000;
const CLOSE_UNAUTHORIZED = 4001;

export function socketUrl(): string {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}/ws`;
}

/** The one WebSocket of the app. Reconnects by itself until stopped or told the session ended. */
export class Connection {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private retryTimer: number | undefined;
  private helloTimer: number | undefined;
  private running = false;
  private currentStatus: ConnectionStatus = "connecting";

  constructor(
    private readonly url: string,
    private readonly handlers: ConnectionHandlers,
  ) {}

  get status(): ConnectionStatus {
    return this.currentStatus;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    window.addEventListener("online", this.reconnectNow);
    window.addEventListener("offline", this.dropNow);
    this.open();
  }

  stop(): void {
    this.running = false;
    window.removeEventListener("online", this.reconnectNow);
    window.removeEventListener("offline", this.dropNow);
    window.clearTimeout(this.retryTimer);
    window.clearTimeout(this.helloTimer);
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, "client stopped");
  }

  /** Sends only on a greeted socket; false means the caller must try again after the next hello. */
  send(frame: ClientFrame): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN || this.currentStatus !== "connected") return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  private open(): void {
    this.retryTimer = undefined;
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.url);
    } catch (err) {
      console.warn("Could not open the WebSocket", err);
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    let greeted = false;
    this.helloTimer = window.setTimeout(() => socket.close(), HELLO_TIMEOUT_MS);

    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      const frame = parseFrame(event.data);
      if (!frame) return;
      if (frame.type === "hello" && !greeted) {
        greeted = true;
        this.attempt = 0;
        window.clearTimeout(this.helloTimer);
        this.setStatus("connected");
      }
      this.handlers.onFrame(frame);
    };

    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      window.clearTimeout(this.helloTimer);
      if (!this.running) return;
      if (event.code === CLOSE_UNAUTHORIZED) {
        this.stop();
        this.handlers.onUnauthorized();
        return;
      }
      // 4008 (too slow), 1001/1012 (server going away or restarting) and everything else: come back.
      this.scheduleReconnect();
      if (!greeted) this.handlers.onDroppedBeforeHello();
    };
  }

  private scheduleReconnect(): void {
    // "connecting" is only the very first attempt; any later one is a reconnect.
    this.setStatus("reconnecting");
    const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_START_MS * 2 ** this.attempt);
    // Jitter spreads out the herd of clients that a server restart disconnects all at once.
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.attempt += 1;
    window.clearTimeout(this.retryTimer);
    this.retryTimer = window.setTimeout(() => this.open(), delay);
  }

  private readonly reconnectNow = (): void => {
    if (!this.running) return;
    if (this.currentStatus === "connected" && this.socket?.readyState === WebSocket.OPEN) return;
    // Coming back online makes a long backoff wait pointless, and an attempt started while
    // offline may hang until its hello timeout: start over with a fresh socket.
    this.attempt = 0;
    this.abandonSocket();
    window.clearTimeout(this.retryTimer);
    this.open();
  };

  /**
   * The browser lost its network. A socket may not notice for a long while (no close arrives
   * without a network), so give it up now: the status shows it and sends wait in the outbox.
   */
  private readonly dropNow = (): void => {
    if (!this.running || !this.socket) return;
    this.abandonSocket();
    this.scheduleReconnect();
  };

  private abandonSocket(): void {
    const socket = this.socket;
    this.socket = null;
    window.clearTimeout(this.helloTimer);
    // Its close event, whenever it comes, is ignored: this.socket no longer points at it.
    socket?.close();
  }

  private setStatus(status: ConnectionStatus): void {
    if (status === this.currentStatus) return;
    this.currentStatus = status;
    this.handlers.onStatus(status);
  }
}

function parseFrame(data: unknown): ServerFrame | null {
  if (typeof data !== "string") {
    console.warn("Ignoring a non-text WebSocket frame");
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    console.warn("Ignoring a WebSocket frame that is not JSON", data);
    return null;
  }
  const parsed = ServerFrame.safeParse(json);
  if (!parsed.success) {
    console.warn("Ignoring an invalid server frame", json, parsed.error);
    return null;
  }
  return parsed.data;
}
