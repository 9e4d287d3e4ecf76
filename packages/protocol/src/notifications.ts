import { z } from "zod";
import { Member, Message, Room } from "./entities.js";

/**
 * How much of a room reaches a person while they are away from it (notify slice, decision 0037).
 * `everything`: every message; `mentions`: messages that mention them (or `@here`/`@room`);
 * `nothing`: no notifications (mention badges still count).
 */
export const NotificationLevel = z.enum(["everything", "mentions", "nothing"]);
export type NotificationLevel = z.infer<typeof NotificationLevel>;

/** Room kinds whose default level is `everything` (rooms-access adds `direct`). */
export function defaultNotificationLevel(roomKind: string | undefined): NotificationLevel {
  return roomKind === "direct" ? "everything" : "mentions";
}

/** `GET /api/rooms/:roomId/notification-level`: the level in force, and whether it is the room's default. */
export const NotificationLevelResponse = z.object({
  level: NotificationLevel,
  isDefault: z.boolean(),
});
export type NotificationLevelResponse = z.infer<typeof NotificationLevelResponse>;

/** `PUT /api/rooms/:roomId/notification-level`. */
export const NotificationLevelBody = z.object({ level: NotificationLevel });
export type NotificationLevelBody = z.infer<typeof NotificationLevelBody>;

/** Why a person is told about a message. */
export const NotificationReason = z.enum(["mention", "direct", "everything"]);
export type NotificationReason = z.infer<typeof NotificationReason>;

/** Longest message excerpt put in a notification (characters). */
export const NOTIFICATION_EXCERPT_LENGTH = 140;

/** What a notification shows and where clicking it leads (`url` is `/r/<slug>?m=<seq>`). */
export const Notification = z.object({
  roomId: z.string(),
  seq: z.number().int().positive(),
  roomName: z.string(),
  author: Member,
  excerpt: z.string().max(NOTIFICATION_EXCERPT_LENGTH + 1),
  reason: NotificationReason,
  url: z.string(),
});
export type Notification = z.infer<typeof Notification>;

/** The path that opens a room at a message (shared contract with the `edits` slice). */
export function messagePath(slug: string, seq: number): string {
  return `/r/${encodeURIComponent(slug)}?m=${seq}`;
}

/** `GET /api/mentions?limit=`: the newest messages that mention you, newest first. */
export const MentionsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(30),
});
export const MentionList = z.object({
  mentions: z.array(z.object({ room: Room, message: Message })),
});
export type MentionList = z.infer<typeof MentionList>;

/** `GET /api/push/public-key`: the VAPID public key (URL-safe base64) for `PushManager.subscribe`. */
export const PushPublicKey = z.object({ publicKey: z.string() });

/** A browser's push subscription as `PushSubscription.toJSON()` gives it. */
export const PushSubscriptionBody = z.object({
  endpoint: z.url().max(2048),
  keys: z.object({
    p256dh: z
      .string()
      .min(80)
      .max(100)
      .regex(/^[A-Za-z0-9_-]+=*$/, "p256dh must be URL-safe base64"),
    auth: z
      .string()
      .min(16)
      .max(32)
      .regex(/^[A-Za-z0-9_-]+=*$/, "auth must be URL-safe base64"),
  }),
});
export type PushSubscriptionBody = z.infer<typeof PushSubscriptionBody>;

/** `POST /api/push/unsubscribe`: forget this device's subscription. */
export const PushUnsubscribeBody = z.object({ endpoint: z.url().max(2048) });

/** What a push message carries to the service worker (encrypted end to end). */
export const PushPayload = z.object({
  title: z.string(),
  body: z.string(),
  url: z.string(),
  tag: z.string(),
});
export type PushPayload = z.infer<typeof PushPayload>;
