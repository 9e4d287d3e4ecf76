import type { Notification } from "@parley/protocol";

/**
 * The small interfaces the client core needs from its surroundings. The browser implements them
 * with WebSocket, window timers, localStorage and fetch (web/src/browser-ports.ts); tests with
 * fakes (web/src/core/testing/fakes.ts) or Node's `ws` (test/support/node-chat-client.ts).
 * Nothing in web/src/core touches a DOM global directly.
 */

/** How a socket ended. `retryAfterMs` is the server's hint (a refused upgrade's Retry-After), when known. */
export interface SocketClose {
  readonly code: number;
  readonly reason: string;
  readonly retryAfterMs?: number;
}

export interface SocketHandlers {
  onOpen(): void;
  onText(text: string): void;
  /** Called once, whether the socket closed cleanly, failed to open, or was dropped. */
  onClose(close: SocketClose): void;
}

/** One WebSocket. `send` returns false when the socket is not open (nothing was sent). */
export interface ClientSocket {
  send(text: string): boolean;
  close(code?: number, reason?: string): void;
}

/** Opens a new socket; the adapter picks the URL (a test may rotate through several nodes). */
export type OpenSocket = (handlers: SocketHandlers) => ClientSocket;

/** Time. `setTimeout` returns the function that cancels the timer. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): () => void;
}

/** String storage that outlives a reload (localStorage in the browser). Any method may throw. */
export interface KeyValueStorage {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
  /** Calls back when another tab changed `key`; returns the unsubscribe. */
  watch?(key: string, onChange: () => void): () => void;
}

export interface HttpRequest {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly ok: boolean;
  readonly statusText: string;
  readonly headers: { get(name: string): string | null };
  json(): Promise<unknown>;
}

/** fetch for a path of this server ("/api/rooms"); the adapter adds origin and credentials. */
export type HttpFetch = (path: string, request: HttpRequest) => Promise<HttpResponse>;

/** What the core asks of the page it runs in; the browser navigates, a test records or ignores. */
export interface PageControl {
  /** The session is gone: go to sign-in (the browser never comes back from this). */
  toSignIn(): void;
  /** Another user signed in in another tab: start over. */
  reload(): void;
  /** Signed out on purpose. */
  signedOut(): void;
  /** Whether the user can see the page now; reads count only while it is visible. */
  isVisible(): boolean;
}

/** A random number in [0, 1); seeded in tests so jitter and client ids are repeatable. */
export type Random = () => number;

// notify slice
/** Shows a system notification (the browser's Notification API); the core calls it only while the page is hidden. */
export type ShowNotification = (notification: Notification) => void;
