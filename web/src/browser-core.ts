import { showBrowserNotification } from "./browser-notifications.js";
import {
  browserClock,
  browserFetch,
  browserOpenSocket,
  browserPage,
  browserRandomBytes,
  browserStorage,
} from "./browser-ports.js";
import { ChatCore } from "./core/index.js";

/** The client core wired to the browser; main.tsx makes one and hands it to React through context. */
export function createBrowserChatCore(): ChatCore {
  const core = new ChatCore({
    openSocket: browserOpenSocket,
    clock: browserClock,
    storage: browserStorage,
    http: browserFetch,
    page: browserPage,
    random: Math.random,
    randomBytes: browserRandomBytes,
    warn: (message) => console.warn(message),
    showNotification: showBrowserNotification,
  });
  window.addEventListener("online", () => core.networkUp());
  window.addEventListener("offline", () => core.networkDown());
  return core;
}
