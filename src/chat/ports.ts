import type {
  ErrorCode,
  Member,
  Message,
  Notification,
  NotificationLevel,
  PushPayload,
  ReplyPreview,
  Room,
  RoomKind,
} from "@parley/protocol";
import type { RoomListFilter } from "./administration-ports.js";

/** The small interfaces the chat domain needs; storage, bus and gateway adapters implement them. */

export interface NewMessage {
  roomId: string;
  author: Member;
  clientId: string;
  body: string;
  createdAt: number;
  /** The message this one answers (checked by the domain to exist in the same room). */
  replyTo?: ReplyPreview;
  /**
   * Ids of the author's pending uploads to bind to the message in the same transaction (files,
   * issue 16). The store throws AttachmentUnavailableError when one is not (or no longer) bindable.
   */
  attachmentIds?: readonly string[];
}

export interface AppendResult {
  message: Message;
  /**
   * True when this author already sent this clientId: nothing new was stored and `message` is
   * the earlier one, which may be in another room than the one asked for.
   */
  duplicate: boolean;
}

export interface MessageStore {
  /** Stores the message with the room's next sequence number, committed before it resolves. */
  append(input: NewMessage): Promise<AppendResult>;
  /** The newest `limit` messages of a room, oldest first. */
  latest(roomId: string, limit: number): Promise<Message[]>;
  /** Up to `limit` messages with seq < beforeSeq, oldest first. */
  before(roomId: string, beforeSeq: number, limit: number): Promise<Message[]>;
  /** Up to `limit` messages with seq > afterSeq, oldest first. */
  after(roomId: string, afterSeq: number, limit: number): Promise<Message[]>;
}

/** Where a page of the room list starts: just after this room in name order. */
export interface RoomListPosition {
  nameKey: string;
  id: string;
}

export interface RoomStore {
  /**
   * Up to `limit` open rooms (private rooms and direct conversations are never listed to all) in name order (by name key, then id: a total order, so keyset pages
   * neither skip nor repeat a room), starting after `after` when given.
   */
  page(
    after: RoomListPosition | undefined,
    limit: number,
    /** Which rooms (admin slice): archived rooms leave the room list; default "all". */
    filter?: RoomListFilter,
  ): Promise<Array<Room & { nameKey: string }>>;
  byId(id: string): Promise<Room | undefined>;
  bySlug(slug: string): Promise<Room | undefined>;
  /** An open room whose name has this key (see roomNameKey), if there is one. */
  byNameKey(nameKey: string): Promise<Room | undefined>;
  /**
   * Inserts the room (with its kind and creator); false when its slug is already taken, or, for a
   * direct conversation, when one with this `directKey` exists.
   */
  tryCreate(room: Room, nameKey: string, directKey?: string): Promise<boolean>;
  // --- rooms-access ---
  /** The direct conversation whose people make this key (see directKey), if there is one. */
  byDirectKey(directKey: string): Promise<Room | undefined>;
  // --- end rooms-access ---
}

export interface RoomStanding {
  roomId: string;
  lastSeq: number;
  lastReadSeq: number;
}

/** Which rooms a user belongs to and how far they have read in each. */
export interface MembershipStore {
  /** Every room the user is a member of, with its newest sequence and the user's read position. */
  standings(userId: string): Promise<RoomStanding[]>;
  /** Makes the user a member (reading from now on) if not yet; returns the read position. */
  ensure(userId: string, roomId: string): Promise<number>;
  /** Moves the read position forward to `seq` (never back, never past the room's end); returns it. */
  markRead(userId: string, roomId: string, seq: number): Promise<number>;
  // --- rooms-access ---
  /** Like `ensure`, also saying whether the user was not a member before (so others can be told). */
  add(userId: string, roomId: string): Promise<{ lastReadSeq: number; added: boolean }>;
  /** The user's read position, or undefined when they are not a member. */
  position(userId: string, roomId: string): Promise<number | undefined>;
  /** Ends the membership; false when the user was not a member. */
  remove(userId: string, roomId: string): Promise<boolean>;
  /** Ids of every member of the room (the access cache holds them for private rooms and direct conversations). */
  memberIds(roomId: string): Promise<string[]>;
  /** Up to `limit` members of the room in name order, after `after` when given (keyset pages). */
  members(roomId: string, after: PersonPosition | undefined, limit: number): Promise<Member[]>;
  /** Up to `limit` rooms the user is a member of, of any kind. */
  roomsOf(userId: string, limit: number): Promise<Room[]>;
  // --- end rooms-access ---
}

// --- rooms-access ---
/** Where a page of people starts: just after this person in name order. */
export interface PersonPosition {
  name: string;
  id: string;
}
// --- end rooms-access ---

/** Who is in which room right now, counted per connection so several tabs make one member. */
export interface PresenceStore {
  /** Returns true when this connection is the user's first in the room. */
  add(roomId: string, member: Member, connectionId: string): Promise<boolean>;
  /** Returns true when this was the user's last connection in the room. */
  remove(roomId: string, userId: string, connectionId: string): Promise<boolean>;
  members(roomId: string): Promise<Member[]>;
  /**
   * Members can also vanish without a `remove`: a node that died took its connections with it.
   * The store calls `handler` with each room's vanished users (never, in a single-node store).
   */
  onVanished(handler: (roomId: string, userIds: string[]) => void): void;
}

export type BusEvent =
  | { kind: "message"; message: Message }
  | { kind: "presence"; roomId: string; joined: Member[]; left: string[] }
  /** Only open rooms are announced to everyone. */
  | { kind: "room_created"; room: Room }
  | { kind: "read"; userId: string; roomId: string; seq: number }
  // --- room settings (admin slice) ---
  /** A room's name, topic or archived state changed. */
  | { kind: "room_updated"; room: Room }
  /** A room was deleted with its messages. */
  | { kind: "room_deleted"; roomId: string }
  // --- rooms-access ---
  /** `member` became a member of `room` (joined, was invited, or is in a new direct conversation). */
  | { kind: "member_added"; room: Room; member: Member }
  /**
   * `userId` is no longer a member of the room: every node drops their sockets from it at once.
   * `changeId` is unique per change, so the node that made it (and applied it before answering)
   * does not apply it again when the bus brings it back.
   */
  | { kind: "member_removed"; roomId: string; roomKind: RoomKind; userId: string; changeId: string }
  // --- end rooms-access ---
  // notify slice: typing goes to the room; mentions and notifications to these people's sockets.
  | { kind: "typing"; roomId: string; users: Member[] }
  | { kind: "mention"; roomId: string; seq: number; userIds: string[] }
  | { kind: "notify"; userIds: string[]; notification: Notification }
  /** Someone chose a notification level in the room: every node reads the room's levels again. */
  | { kind: "levels_changed"; roomId: string }
  // edits (issue 15 part A): a stored message changed; `message` is its whole current state.
  | { kind: "message_changed"; roomId: string; changeSeq: number; message: Message };

/** Carries events to every node's hub, the publishing node's too. */
export interface Bus {
  /** False while the bus cannot carry events (Redis away): sends are refused rather than lost. */
  readonly available: boolean;
  publish(event: BusEvent): Promise<void>;
  subscribe(handler: (event: BusEvent) => void): void;
}

/** A server frame as UTF-8 JSON bytes, encoded once however many subscribers receive it. */
export type EncodedFrame = Uint8Array;

/** One connected client as the domain sees it: it can be handed encoded frames. */
export interface Subscriber {
  readonly connectionId: string;
  readonly user: Member;
  deliver(data: EncodedFrame): void;
}

export interface Clock {
  now(): number;
}

export interface UserDirectory {
  displayName(userId: string): Promise<string | undefined>;
  // --- rooms-access ---
  /** The people with these ids who exist, as others see them (any order). */
  profiles(userIds: readonly string[]): Promise<Member[]>;
  /** Up to `limit` people in name order after `after`, whose name contains `filter` ignoring case when given. */
  page(filter: string | undefined, after: PersonPosition | undefined, limit: number): Promise<Member[]>;
  // --- end rooms-access ---
}

/** Whether a person may do one more of some action now, and if not, how long until they may. */
export type Allowance = { allowed: true } | { allowed: false; retryAfterMs: number };

/** Takes one action from a person's allowance (the adapter decides where counts live: memory or Redis). */
export interface ActionLimiter {
  take(personId: string): Promise<Allowance>;
}

// ---- edits (issue 15 part A): edits, deletions, reactions, the change log ----

/** A change committed: the room's change sequence it got and the message as it is now. */
export interface CommittedChange {
  changeSeq: number;
  message: Message;
}

/**
 * The per-room change log over stored messages (decision 0033). Each mutation takes the room's
 * next change sequence in the same transaction as the change itself, so change sequences are
 * gap-free and committed in order per room, like message sequences.
 */
export interface MessageChangeStore {
  /** The message as stored now (a tombstone too), with its reactions; undefined if none. */
  get(roomId: string, seq: number): Promise<Message | undefined>;
  /** Replaces the body of a message that is not deleted; undefined when there is none (any more). */
  edit(roomId: string, seq: number, body: string, editedAt: number): Promise<CommittedChange | undefined>;
  /**
   * Makes the message a tombstone: body emptied in storage, reactions removed. Undefined when
   * there is no such message or it was deleted already.
   */
  delete(roomId: string, seq: number, deletedAt: number): Promise<CommittedChange | undefined>;
  /**
   * Adds or removes one person's reaction. Undefined when the message is gone, "unchanged" when
   * the reaction was already so, "full" when adding a new emoji would pass `maxEmoji` kinds.
   */
  react(input: {
    roomId: string;
    seq: number;
    userId: string;
    emoji: string;
    add: boolean;
    at: number;
    maxEmoji: number;
  }): Promise<CommittedChange | "unchanged" | "full" | undefined>;
  /**
   * The room's newest message sequence and latest change sequence, read together. The newest
   * sequence moves only when its messages commit, so nothing after it is stored yet: a resume
   * from at or past it has no messages to read.
   */
  positions(roomId: string): Promise<{ lastSeq: number; lastChangeSeq: number }>;
  /**
   * Up to `limit` messages with seq <= `upToSeq` whose latest change is after `afterChangeSeq`,
   * in their current state, ordered by that change.
   */
  changedSince(roomId: string, afterChangeSeq: number, upToSeq: number, limit: number): Promise<Message[]>;
}

/**
 * Who may delete other people's messages. Author-only until roles exist: the lead wires the
 * administrators check here at merge (the `admin` slice owns roles).
 */
export interface ModerationPolicy {
  mayDeleteOthersMessages(userId: string, roomId: string): Promise<boolean>;
}

/** Nobody deletes anyone else's message: the rule until administrators exist. */
export const AUTHORS_ONLY: ModerationPolicy = { mayDeleteOthersMessages: async () => false };

/**
 * Called after an edit or a deletion is committed and published, in the one place they happen
 * (MessageEditor): search re-indexing and file deletion plug in here (several through
 * `allMessageChangeHooks`). A hook that throws never undoes the committed change; the person who
 * made it gets an `internal` error frame and the gateway logs the error, so hooks should retry
 * or queue their own work rather than throw for a passing outage.
 */
export interface MessageChangeHooks {
  edited(message: Message): Promise<void>;
  deleted(message: Message): Promise<void>;
}

export const NO_MESSAGE_CHANGE_HOOKS: MessageChangeHooks = {
  edited: async () => undefined,
  deleted: async () => undefined,
};

/** Several hooks as one (search re-indexing and file deletion, say), called in the order given. */
export function allMessageChangeHooks(...hooks: MessageChangeHooks[]): MessageChangeHooks {
  return {
    async edited(message) {
      for (const hook of hooks) await hook.edited(message);
    },
    async deleted(message) {
      for (const hook of hooks) await hook.deleted(message);
    },
  };
}

/** Messages per person: a steady rate with bursts. */
export type SendRateLimiter = ActionLimiter;
/** Rooms a person may create per day. */
export type RoomCreationLimiter = ActionLimiter;

/**
 * What the domain counts; the metrics adapter decides where it goes. Called on hot paths, so
 * implementations must be cheap: no allocation or label lookup per call where avoidable.
 */
export interface ChatMetrics {
  /** A new message was committed by this node (duplicates of an earlier send are not counted). */
  messageStored(): void;
  /** One frame was handed to `sockets` local sockets (called once per fan-out, not per socket). */
  delivered(sockets: number): void;
  /** A message reached this node's sockets `latencyMs` after the server stamped it (createdAt). */
  fannedOut(latencyMs: number): void;
  /** An error frame with this code was sent to a client. */
  refused(code: ErrorCode): void;
}

/** Counts nothing: the default for tests and tools that have no metrics. */
export const NO_CHAT_METRICS: ChatMetrics = {
  messageStored: () => undefined,
  delivered: () => undefined,
  fannedOut: () => undefined,
  refused: () => undefined,
};

/** Every port the chat domain needs, handed to it by the composition root. */
export interface ChatDependencies {
  messages: MessageStore;
  rooms: RoomStore;
  presence: PresenceStore;
  memberships: MembershipStore;
  /** rooms-access: the people directory (invitations and direct conversations name people by id). */
  users: UserDirectory;
  bus: Bus;
  clock: Clock;
  limits: {
    sends: SendRateLimiter;
    roomCreations: RoomCreationLimiter;
    /** Edits, deletions and reactions per person (edits, issue 15 part A). */
    changes: ActionLimiter;
  };
  // edits (issue 15 part A)
  changes: MessageChangeStore;
  /** Defaults to AUTHORS_ONLY. */
  moderation?: ModerationPolicy;
  /** Defaults to NO_MESSAGE_CHANGE_HOOKS. */
  changeHooks?: MessageChangeHooks;
  /** Defaults to NO_CHAT_METRICS. */
  metrics?: ChatMetrics;
  /** notify slice: mentions, typing and notifications (off when absent). */
  notify?: NotifyDependencies;
  // files (issue 16):
  /** Checks attachment ids before a send is stored; without it, sends with attachments are refused. */
  uploads?: UploadOwnership;
}

// files (issue 16):
/** Which uploads a sender may attach (the store checks again, atomically, when it binds them). */
export interface UploadOwnership {
  /**
   * The ids among `ids` that `ownerId` may not attach to the send `clientId`: unknown, someone
   * else's, or bound to another message. One bound to this very send (a resend) is available.
   */
  unavailable(ownerId: string, clientId: string, ids: readonly string[]): Promise<string[]>;
}

// notify slice: mentions, typing, notification levels, push (decisions 0036–0038).

/**
 * The members of a room, for resolving @mentions and for autocomplete. Today the memberships
 * table; the `rooms-access` slice's member list replaces the adapter, not this port.
 */
export interface RoomMemberList {
  members(roomId: string): Promise<Member[]>;
  count(roomId: string): Promise<number>;
}

/** Who each message mentions, kept per person so badges survive reloads and resumes. */
export interface MentionStore {
  /** Records that message `seq` of the room mentions each of `userIds` (again: no change). */
  record(roomId: string, seq: number, userIds: readonly string[], createdAt: number): Promise<void>;
  /** Per room, the newest `perRoom` mention seqs above the person's read position, ascending. */
  unread(userId: string, perRoom: number): Promise<Array<{ roomId: string; seqs: number[] }>>;
  /** The person's newest mentions in these rooms, newest first, with the messages. */
  recent(userId: string, roomIds: readonly string[], limit: number): Promise<Message[]>;
  /** Forgets whom a message mentioned (it was deleted, or is being resolved again after an edit). */
  forget(roomId: string, seq: number): Promise<void>;
}

export interface NotificationLevelStore {
  /** The level the person chose in the room; undefined when they never chose (the default holds). */
  get(userId: string, roomId: string): Promise<NotificationLevel | undefined>;
  set(userId: string, roomId: string, level: NotificationLevel): Promise<void>;
  /** Every choice made in the room, by user id. */
  inRoom(roomId: string): Promise<Map<string, NotificationLevel>>;
}

/** Sends a Web Push message to every device these people subscribed (dropping gone subscriptions). */
export interface PushSender {
  send(userIds: readonly string[], payload: PushPayload): Promise<void>;
}

/** At most one typing frame per person per room per interval (over every node with Redis). */
export interface TypingGate {
  pass(userId: string, roomId: string): Promise<Allowance>;
}

export interface NotifySettings {
  /** `@here`/`@room` reach rooms of at most this many members; 0 turns them off. */
  roomMentionMaxMembers: number;
}

/** The ports of mentions, typing and notifications; without them those features are off. */
export interface NotifyDependencies {
  members: RoomMemberList;
  mentions: MentionStore;
  levels: NotificationLevelStore;
  push: PushSender;
  typing: TypingGate;
  settings: NotifySettings;
}
// end notify slice
