import type { ErrorCode, Member, Message, Room } from "@parley/protocol";

/** The small interfaces the chat domain needs; storage, bus and gateway adapters implement them. */

export interface NewMessage {
  roomId: string;
  author: Member;
  clientId: string;
  body: string;
  createdAt: number;
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
  | { kind: "read"; userId: string; roomId: string; seq: number };

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
  };
  /** Defaults to NO_CHAT_METRICS. */
  metrics?: ChatMetrics;
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
