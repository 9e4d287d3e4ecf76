import type { ColumnType, Generated } from "kysely";

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
  // --- room settings (admin slice, migration 005) ---
  topic: string | null;
  /** When the room was archived (epoch ms); null while it is active. */
  archived_at: number | null;
  // --- rooms-access ---
  /** "open", "private" or "direct". */
  kind: Generated<string>;
  created_by: string | null;
  /** Direct conversations only: digest of the sorted ids of its people (see directKey). */
  direct_key: string | null;
  // --- end rooms-access ---
  /** Highest change sequence given out in this room (edits, deletions, reactions; migration 006). */
  last_change_seq: Generated<number>;
  /** Highest sequence whose search postings are written (decision 0049, migration 011). */
  search_indexed_seq: Generated<number>;
}

export interface MessageTable {
  room_id: string;
  seq: number;
  author_id: string;
  client_id: string;
  body: string;
  created_at: number;
  // edits (issue 15 part A, migration 006)
  /** The room's change sequence of this message's latest change; 0 when never changed. */
  change_seq: Generated<number>;
  edited_at: ColumnType<number | null, number | null | undefined, number | null>;
  /** Set on a tombstone, whose body is "". */
  deleted_at: ColumnType<number | null, number | null | undefined, number | null>;
  reply_to_seq: ColumnType<number | null, number | null | undefined, number | null>;
}

/** One person's reaction with one emoji to one message (migration 006). */
export interface ReactionTable {
  room_id: string;
  message_seq: number;
  user_id: string;
  emoji: string;
  created_at: number;
}

export interface MembershipTable {
  user_id: string;
  room_id: string;
  last_read_seq: number;
  joined_at: number;
}

// ops (issue 11): import from Slack.
/** What an import made of each thing it read, so a second import of the same export adds nothing. */
export interface ImportLinkTable {
  /** What kind of thing from where: "slack:user", "slack:channel". */
  source: string;
  /** Its id there (a Slack user is "team/U…", a channel "C…"). */
  external_id: string;
  /** The person's or room's id here. */
  local_id: string;
  created_at: number;
}

// --- administration (admin slice, migration 005) ---
export interface AdministratorTable {
  user_id: string;
  granted_at: number;
}

export interface DeactivatedPersonTable {
  user_id: string;
  deactivated_at: number;
}

export interface PersonTimeZoneTable {
  user_id: string;
  time_zone: string;
  reported_at: number;
}

export interface WorkspaceSettingTable {
  name: string;
  value: string;
}

/** better-auth's linked provider accounts (only the columns Parley reads). */
export interface AccountTable {
  id: string;
  providerId: string;
  userId: string;
}

export interface AuditTable {
  id: Generated<number>;
  at: number;
  actor_kind: string;
  actor_id: string | null;
  actor_name: string;
  action: string;
  target_kind: string | null;
  target_id: string | null;
  detail: string | null;
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

// files (issue 16):
/** An uploaded file; pending while room_id is null (see migration 009). */
export interface UploadTable {
  id: string;
  owner_id: string;
  name: string;
  size: number;
  type: string;
  width: number | null;
  height: number | null;
  has_thumbnail: boolean | number;
  created_at: number;
  room_id: string | null;
  message_seq: number | null;
  position: number | null;
}

/** An upload whose record is deleted and whose bytes are still to go (migration 012, decision 0054). */
export interface UploadDeletionTable {
  upload_id: string;
  has_thumbnail: boolean | number;
  queued_at: number;
}

/** The row an uploader's quota check takes its turn on (migration 012). */
export interface UploadQuotaLockTable {
  owner_id: string;
  checks: number;
}

// --- search (issue 16, migration 008) ---

/** One token of one message: the application-maintained search index (decision 0039). */
export interface SearchPostingTable {
  token: string;
  /** The message's created_at, so searches walk a token's postings newest first. */
  created_at: number;
  room_id: string;
  seq: number;
}

export interface Database {
  user: UserTable;
  session: SessionTable;
  memberships: MembershipTable;
  rooms: RoomTable;
  messages: MessageTable;
  // ops (issue 11): import from Slack.
  import_links: ImportLinkTable;
  // --- administration (admin slice) ---
  administrators: AdministratorTable;
  deactivated_people: DeactivatedPersonTable;
  person_time_zones: PersonTimeZoneTable;
  workspace_settings: WorkspaceSettingTable;
  audit: AuditTable;
  account: AccountTable;
  // notify slice
  mentions: MentionTable;
  notification_levels: NotificationLevelTable;
  push_subscriptions: PushSubscriptionTable;
  reactions: ReactionTable;
  // files (issue 16):
  uploads: UploadTable;
  upload_deletions: UploadDeletionTable;
  upload_quota_locks: UploadQuotaLockTable;
  search_postings: SearchPostingTable;
}
