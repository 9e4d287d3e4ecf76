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

export interface Database {
  user: UserTable;
  session: SessionTable;
  memberships: MembershipTable;
  rooms: RoomTable;
  messages: MessageTable;
  // files (issue 16):
  uploads: UploadTable;
}
