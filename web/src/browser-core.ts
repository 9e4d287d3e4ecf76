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
    timeZone: () => Intl.DateTimeFormat().resolvedOptions().timeZone,
    showNotification: showBrowserNotification,
  });
  // Presence status (admin slice): using the page keeps the person "online" rather than "away".
  for (const event of ["keydown", "pointerdown", "focus"] as const) {
    window.addEventListener(event, () => core.reportActivity(), { passive: true, capture: true });
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") core.reportActivity();
  });
  window.addEventListener("online", () => core.networkUp());
  window.addEventListener("offline", () => core.networkDown());
  return core;
}
