import type { Generated } from "kysely";

/** Table shapes as Kysely sees them. better-auth owns user, session, account and verification. */
export interface UserTable {
  id: string;
  name: string;
  email: string;
  emailVerified: boolean | number;
  image: string | null;
  isAnonymous: boolean | number | null;
  createdAt: Date | string;
  updatedAt: Date | string;
}

export interface SessionTable {
  id: string;
  expiresAt: Date | string;
  token: string;
  userId: string;
}

export interface RoomTable {
  id: string;
  slug: string;
  name: string;
  /** The name trimmed, NFC and lower-cased: what makes two names the same, and the list's order. */
  name_key: string;
  created_at: number;
  /** Highest sequence given out in this room; bumped under a row lock by each insert. */
  last_seq: Generated<number>;
}

export interface MessageTable {
  room_id: string;
  seq: number;
  author_id: string;
  client_id: string;
  body: string;
  created_at: number;
}

export interface MembershipTable {
  user_id: string;
  room_id: string;
  last_read_seq: number;
  joined_at: number;
}

// notify slice
/** One row per person a message mentions (by name, `@here` or `@room`), written at send time. */
export interface MentionTable {
  user_id: string;
  room_id: string;
  seq: number;
  created_at: number;
}

/** A person's notification level in a room, only where they chose one (else the room kind's default). */
export interface NotificationLevelTable {
  user_id: string;
  room_id: string;
  level: string;
}

/** One Web Push subscription per device; `id` is the SHA-256 of the endpoint. */
export interface PushSubscriptionTable {
  id: string;
  user_id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  created_at: number;
}
// end notify slice

export interface Database {
  user: UserTable;
  session: SessionTable;
  memberships: MembershipTable;
  rooms: RoomTable;
  messages: MessageTable;
  // notify slice
  mentions: MentionTable;
  notification_levels: NotificationLevelTable;
  push_subscriptions: PushSubscriptionTable;
}
