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
  /** Highest change sequence given out in this room (edits, deletions, reactions; migration 006). */
  last_change_seq: Generated<number>;
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

export interface Database {
  user: UserTable;
  session: SessionTable;
  memberships: MembershipTable;
  rooms: RoomTable;
  messages: MessageTable;
  reactions: ReactionTable;
}
