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
  search_postings: SearchPostingTable;
}
