import type { Notification as ParleyNotification } from "@parley/protocol";
import type { ChatCore } from "./core/index.js";
import { navigate } from "./router.js";

/**
 * The browser's side of notifications (notify slice, decision 0038): a system notification while
 * the tab is hidden, and Web Push through the service worker (/sw.js) for when it is closed. Both
 * use the tag `<roomId>:<seq>`, so one message never shows twice.
 */

export type DeviceNotificationState = "unsupported" | "blocked" | "off" | "on";

function supported(): boolean {
  return "Notification" in window && "serviceWorker" in navigator && "PushManager" in window;
}

export function notificationTitle(notification: ParleyNotification): string {
  return notification.reason === "direct"
    ? notification.author.name
    : `${notification.author.name} · #${notification.roomName}`;
}

/** Shows one message as a system notification; clicking it opens the room at the message. */
export function showBrowserNotification(notification: ParleyNotification): void {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  const shown = new Notification(notificationTitle(notification), {
    body: notification.excerpt,
    tag: `${notification.roomId}:${notification.seq}`,
    icon: "/assets/icon-192.png",
  });
  shown.onclick = () => {
    window.focus();
    navigate(notification.url);
    shown.close();
  };
}

/** Where notifications stand on this device. */
export async function deviceNotificationState(): Promise<DeviceNotificationState> {
  if (!supported()) return "unsupported";
  if (Notification.permission === "denied") return "blocked";
  if (Notification.permission !== "granted") return "off";
  const registration = await navigator.serviceWorker.getRegistration("/");
  const subscription = await registration?.pushManager.getSubscription();
  return subscription ? "on" : "off";
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Asks for permission, subscribes this device to Web Push and tells the server. */
export async function enableDeviceNotifications(chat: ChatCore): Promise<DeviceNotificationState> {
  if (!supported()) return "unsupported";
  const permission = await Notification.requestPermission();
  if (permission !== "granted") return permission === "denied" ? "blocked" : "off";
  const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  await navigator.serviceWorker.ready;
  const subscription =
    (await registration.pushManager.getSubscription()) ??
    (await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: keyBytes(await chat.pushPublicKey()),
    }));
  const json = subscription.toJSON();
  if (!json.endpoint || !json.keys?.p256dh || !json.keys.auth)
    throw new Error("incomplete push subscription");
  await chat.savePushSubscription({
    endpoint: json.endpoint,
    keys: { p256dh: json.keys.p256dh, auth: json.keys.auth },
  });
  return "on";
}

/** Unsubscribes this device and tells the server to forget it. */
export async function disableDeviceNotifications(chat: ChatCore): Promise<DeviceNotificationState> {
  const registration = await navigator.serviceWorker.getRegistration("/");
  const subscription = await registration?.pushManager.getSubscription();
  if (subscription) {
    await chat.removePushSubscription(subscription.endpoint);
    await subscription.unsubscribe();
  }
  return "off";
}
