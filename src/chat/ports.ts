import type { ErrorCode, Member, Message, ReplyPreview, Room } from "@parley/protocol";

/** The small interfaces the chat domain needs; storage, bus and gateway adapters implement them. */

export interface NewMessage {
  roomId: string;
  author: Member;
  clientId: string;
  body: string;
  createdAt: number;
  /** The message this one answers (checked by the domain to exist in the same room). */
  replyTo?: ReplyPreview;
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
   * Up to `limit` rooms in name order (by name key, then id: a total order, so keyset pages
   * neither skip nor repeat a room), starting after `after` when given.
   */
  page(after: RoomListPosition | undefined, limit: number): Promise<Array<Room & { nameKey: string }>>;
  byId(id: string): Promise<Room | undefined>;
  bySlug(slug: string): Promise<Room | undefined>;
  /** A room whose name has this key (see roomNameKey), if there is one. */
  byNameKey(nameKey: string): Promise<Room | undefined>;
  /** Inserts the room; false when its slug is already taken. */
  tryCreate(room: Room, nameKey: string): Promise<boolean>;
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
}

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
  | { kind: "room_created"; room: Room }
  | { kind: "read"; userId: string; roomId: string; seq: number }
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
  /** The room's latest change sequence (0 when nothing ever changed). */
  lastChangeSeq(roomId: string): Promise<number>;
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
}
