import type { PresenceStatus, Room, RoomCreationPolicy } from "@parley/protocol";

/** The ports of the administration use cases (roles, people, room settings, audit). */

/** Who does an admin action: a signed-in person on the web, or someone at the command line. */
export type Actor = { kind: "person"; id: string; name: string } | { kind: "cli"; name: string };

/** A person as administration sees them. */
export interface PersonRecord {
  id: string;
  name: string;
  email: string;
  emailVerified: boolean;
  image: string | null;
  createdAt: number;
  /** Granted in the database (the first person, or by an administrator); ADMIN_EMAILS is separate. */
  administratorGrant: boolean;
  deactivated: boolean;
}

export interface PeopleStore {
  /** Everyone, oldest account first. */
  list(): Promise<PersonRecord[]>;
  byId(id: string): Promise<PersonRecord | undefined>;
  /** The person with this id or this email (case-insensitive), if exactly one. */
  find(idOrEmail: string): Promise<PersonRecord | undefined>;
  /** True when the person was granted administrator in the database. */
  hasAdministratorGrant(id: string): Promise<boolean>;
  grantAdministrator(id: string, at: number): Promise<void>;
  revokeAdministrator(id: string): Promise<void>;
  /** Makes `id` the first administrator if nobody ever was; true when it did (atomic across nodes). */
  claimFirstAdministrator(id: string, at: number): Promise<boolean>;
  isDeactivated(id: string): Promise<boolean>;
  /** True when the person was active and is deactivated now. */
  deactivate(id: string, at: number): Promise<boolean>;
  /** True when the person was deactivated and is active now. */
  reactivate(id: string): Promise<boolean>;
  /** The sign-in providers linked to the person's account. */
  providers(id: string): Promise<string[]>;
  timeZone(id: string): Promise<string | null>;
  setTimeZone(id: string, timeZone: string, at: number): Promise<void>;
}

export interface WorkspaceSettingsStore {
  roomCreation(): Promise<RoomCreationPolicy>;
  setRoomCreation(policy: RoomCreationPolicy): Promise<void>;
}

/** Which rooms each listing shows: archived rooms leave the room list but stay readable. */
export type RoomListFilter = "active" | "archived" | "all";

export interface RoomSettingsStore {
  /** Renames the room (its slug stays, so links keep working); the room after, or undefined if gone. */
  rename(roomId: string, name: string, nameKey: string): Promise<Room | undefined>;
  /** Sets the topic ("" clears it). */
  setTopic(roomId: string, topic: string): Promise<Room | undefined>;
  /** Archives (with the time) or restores (null) the room. */
  setArchived(roomId: string, archivedAt: number | null): Promise<Room | undefined>;
  /**
   * Deletes the room with its messages, files and memberships; false when there was no such room.
   * The files' stored bytes are queued for deletion in the same step (FileBytesCleaner removes them).
   */
  delete(roomId: string): Promise<boolean>;
  /**
   * Who created the room. The rooms-access slice adds `rooms.created_by`; until the merge this is
   * read from the audit trail's `room.create` row (see storage/room-creator.ts), the one place to
   * change.
   */
  creatorOf(roomId: string): Promise<string | undefined>;
}

/**
 * Removes the stored bytes of files whose records were deleted (a deleted room's). It works in
 * the background and never fails the caller: bytes it could not remove stay queued for its sweep.
 */
export interface FileBytesCleaner {
  scheduleByteDeletion(): void;
}

export interface AuditEntry {
  at: number;
  actor: Actor;
  /** Dotted verb: room.rename, person.deactivate, workspace.room_creation… */
  action: string;
  target?: { kind: "room" | "person" | "workspace"; id: string };
  /** What changed, small and safe to show: never a secret or a message body. */
  detail?: Record<string, string | number | boolean | null>;
}

export interface AuditRecord extends AuditEntry {
  id: number;
}

/** Where admin actions are recorded (a table) and reported (a JSON log line). */
export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  /** The newest `limit` entries, newest first. */
  recent(limit: number): Promise<AuditRecord[]>;
}

/** Ends every session of a person on every node: sockets closed, cookies refused. */
export interface SessionEnder {
  /** Returns how many sessions ended. */
  endSessionsOf(userId: string): Promise<number>;
}

/** Counts for `parley stats`. */
export interface WorkspaceCounts {
  people: number;
  deactivated: number;
  administrators: number;
  rooms: number;
  archivedRooms: number;
  messages: number;
  sessions: number;
}

export interface StatsSource {
  counts(): Promise<WorkspaceCounts>;
}

/** Whether each person has an open connection anywhere and when they were last active. */
export interface ActivityStore {
  /** The person used a tab now. */
  reportActive(userId: string, at: number): Promise<void>;
  /** Per person: open connections over every node, and the last activity reported (ms), if any. */
  activity(userIds: string[]): Promise<Map<string, { connected: boolean; lastActiveAt: number | undefined }>>;
}

export type { PresenceStatus };
