import { WEBSOCKET_PATH } from "@parley/protocol";
import type {
  ClientSocket,
  Clock,
  HttpFetch,
  KeyValueStorage,
  OpenSocket,
  PageControl,
} from "./core/index.js";
import { signInPath } from "./core/index.js";

/** The browser's side of the core's ports: WebSocket, window timers, localStorage, fetch, location. */

export function socketUrl(): string {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}${WEBSOCKET_PATH}`;
}

export const browserOpenSocket: OpenSocket = (handlers) => {
  let socket: WebSocket;
  try {
    socket = new WebSocket(socketUrl());
  } catch (err) {
    console.warn("Could not open the WebSocket", err);
    handlers.onClose({ code: 1006, reason: "could not open" });
    return { send: () => false, close: () => undefined };
  }
  socket.onopen = () => handlers.onOpen();
  socket.onmessage = (event) => {
    if (typeof event.data === "string") handlers.onText(event.data);
    else console.warn("Ignoring a non-text WebSocket frame");
  };
  // A browser never sees a refused upgrade's status or headers; the core asks over HTTP instead.
  socket.onclose = (event) => handlers.onClose({ code: event.code, reason: event.reason });
  const client: ClientSocket = {
    send(text) {
      if (socket.readyState !== WebSocket.OPEN) return false;
      socket.send(text);
      return true;
    },
    close(code, reason) {
      socket.close(code === undefined || code === 1000 || code >= 3000 ? code : undefined, reason);
    },
  };
  return client;
};

export const browserClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const id = window.setTimeout(callback, ms);
    return () => window.clearTimeout(id);
  },
};

export const browserStorage: KeyValueStorage = {
  get: (key) => window.localStorage.getItem(key),
  set: (key, value) => window.localStorage.setItem(key, value),
  remove: (key) => window.localStorage.removeItem(key),
  watch(key, onChange) {
    const listener = (event: StorageEvent) => {
      if (event.key === key || event.key === null) onChange();
    };
    window.addEventListener("storage", listener);
    return () => window.removeEventListener("storage", listener);
  },
};

export const browserFetch: HttpFetch = (path, request) =>
  fetch(path, { ...request, credentials: "same-origin" });

export const browserPage: PageControl = {
  toSignIn() {
    const { pathname, search } = window.location;
    if (pathname !== "/signin") window.location.assign(signInPath(pathname + search));
  },
  reload: () => window.location.reload(),
  signedOut: () => window.location.assign("/signin"),
  isVisible: () => document.visibilityState === "visible",
};

export function browserRandomBytes(count: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(count));
}
