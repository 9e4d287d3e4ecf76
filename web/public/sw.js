// Parley's service worker (notify slice, decision 0038): shows Web Push notifications while no
// Parley tab is visible, and opens the room at the message when one is clicked.
// Plain JavaScript: it is served as is from /sw.js, outside the Vite bundle.

self.addEventListener("install", () => {
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("push", (event) => {
  let payload;
  try {
    payload = event.data ? event.data.json() : null;
  } catch {
    payload = null;
  }
  if (!payload || typeof payload.title !== "string" || typeof payload.url !== "string") return;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      // A visible tab already shows the message (and a hidden one shows its own notification
      // with the same tag, which this one replaces rather than doubles).
      if (windows.some((client) => client.visibilityState === "visible")) return;
      await self.registration.showNotification(payload.title, {
        body: typeof payload.body === "string" ? payload.body : "",
        tag: typeof payload.tag === "string" ? payload.tag : undefined,
        icon: "/assets/icon-192.png",
        data: { url: payload.url },
      });
    })(),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const path = event.notification.data?.url;
  if (typeof path !== "string" || !path.startsWith("/")) return;
  const target = new URL(path, self.location.origin).href;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const existing = windows.find((client) => new URL(client.url).origin === self.location.origin);
      if (existing) {
        await existing.focus();
        return existing.navigate(target);
      }
      return self.clients.openWindow(target);
    })(),
  );
});
