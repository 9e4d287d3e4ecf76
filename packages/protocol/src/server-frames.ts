import { z } from "zod";
import { Member, Message, Room } from "./entities.js";
import { PagedMessage, refineAuthors } from "./message-page.js";
import { Notification } from "./notifications.js";

/** First frame on every socket: who the server believes you are. */
export const HelloFrame = z.object({
  type: z.literal("hello"),
  user: Member,
  // --- presence status (admin slice) ---
  /** Report activity (`active`) at most this often, while the person uses the page. */
  activityReportMs: z.number().int().positive().optional(),
  /** Without activity for this long the person shows as away. */
  awayAfterMs: z.number().int().positive().optional(),
});

/**
 * Answer to `join`: the member snapshot and the messages the client is missing
 * (the latest page, or everything after `since`). `hasOlder` says whether
 * older history exists before the first message sent here. Each author of the messages is in
 * `users` once; messages name theirs by `authorId` (`expandPage` gives full messages back).
 */
export const JoinedFrame = z
  .object({
    type: z.literal("joined"),
    room: Room,
    members: z.array(Member),
    users: z.array(Member),
    messages: z.array(PagedMessage),
    hasOlder: z.boolean(),
    /** This user's read position in the room (shared by all their tabs and devices). */
    lastReadSeq: z.number().int().nonnegative(),
    // edits (issue 15 part A)
    /**
     * Messages the client already holds (seq <= its `since`) that changed after its
     * `changesSince`, each once in its current state, oldest change first; authors in `users`.
     */
    changed: z.array(PagedMessage).optional(),
    /** The room's change sequence this answer is current to: the next `changesSince`. */
    lastChangeSeq: z.number().int().nonnegative().optional(),
    /** Too much changed while away: drop every message held and keep only these. */
    stale: z.boolean().optional(),
  })
  .superRefine(refineAuthors)
  .superRefine((frame, context) =>
    refineAuthors({ users: frame.users, messages: frame.changed ?? [] }, context),
  );

export const LeftFrame = z.object({
  type: z.literal("left"),
  roomId: z.string(),
});

export const MessageFrame = z.object({
  type: z.literal("message"),
  message: Message,
});

/** Only the change to a room's member list; the snapshot came with `joined`. */
export const PresenceFrame = z.object({
  type: z.literal("presence"),
  roomId: z.string(),
  joined: z.array(Member),
  left: z.array(z.string()),
});

/** The send with this clientId is committed as `seq` in its room. */
export const AckFrame = z.object({
  type: z.literal("ack"),
  roomId: z.string(),
  clientId: z.string(),
  seq: z.number().int().positive(),
});

export const RoomCreatedFrame = z.object({
  type: z.literal("room_created"),
  room: Room,
});

/** Where each room the user is a member of stands: unread = lastSeq − lastReadSeq, exactly. */
export const UnreadStateFrame = z.object({
  type: z.literal("unread_state"),
  rooms: z.array(
    z.object({
      roomId: z.string(),
      lastSeq: z.number().int().nonnegative(),
      lastReadSeq: z.number().int().nonnegative(),
    }),
  ),
});

/** A new message in a room the user is a member of but this socket has not joined. */
export const ActivityFrame = z.object({
  type: z.literal("activity"),
  roomId: z.string(),
  seq: z.number().int().positive(),
});

/** The user's read position in a room moved (in this tab or another one). */
export const ReadPositionFrame = z.object({
  type: z.literal("read_position"),
  roomId: z.string(),
  seq: z.number().int().nonnegative(),
});

// --- room settings (admin slice) ---
/** A room's name, topic or archived state changed: replace what you show of it. */
export const RoomUpdatedFrame = z.object({
  type: z.literal("room_updated"),
  room: Room,
});

/** An administrator deleted the room with its messages: drop it. */
export const RoomDeletedFrame = z.object({
  type: z.literal("room_deleted"),
  roomId: z.string(),
});

// --- rooms-access: membership frames ---
/** The user became a member of a room (joined, was invited, or a direct conversation was started with them). */
export const RoomAddedFrame = z.object({
  type: z.literal("room_added"),
  room: Room,
});

/**
 * The user is no longer a member of the room (left it, or was removed). For a private room or a
 * direct conversation this also means no more frames of it: the socket is out of the room.
 */
export const RoomRemovedFrame = z.object({
  type: z.literal("room_removed"),
  roomId: z.string(),
});

/** A change to a room's member list (not who is here now: that is `presence`), to sockets in the room. */
export const RoomMembersFrame = z.object({
  type: z.literal("room_members"),
  roomId: z.string(),
  added: z.array(Member),
  removed: z.array(z.string()),
});
// --- end rooms-access ---
// notify slice: typing, mentions, notifications.
/**
 * People typing in a joined room, gathered per room and node (at most one frame per room per
 * second from each node). Show each until TYPING_SHOWN_MS pass without another; ignore yourself.
 */
export const UserTypingFrame = z.object({
  type: z.literal("typing"),
  roomId: z.string(),
  users: z.array(Member).min(1),
});

/** A message mentioning you was stored (to all your sockets, whether or not they joined the room). */
export const MentionFrame = z.object({
  type: z.literal("mention"),
  roomId: z.string(),
  seq: z.number().int().positive(),
});

/**
 * After `unread_state` on every connect: per room, the seqs of messages mentioning you that you
 * have not read (at most MAX_UNREAD_MENTIONS_PER_ROOM, newest). Mention badge = those above lastReadSeq.
 */
export const MentionStateFrame = z.object({
  type: z.literal("mention_state"),
  rooms: z.array(z.object({ roomId: z.string(), seqs: z.array(z.number().int().positive()) })),
});

/** A message your notification level says to notify you of (show it if the page is hidden). */
export const NotifyFrame = z.object({
  type: z.literal("notify"),
  notification: Notification,
});
// end notify slice

/**
 * A message changed (edited, deleted, reacted to): its whole current state. `changeSeq` is the
 * room's change sequence, gap-free like `seq`; a client resumes changes from the last it saw.
 */
export const MessageChangedFrame = z.object({
  type: z.literal("message_changed"),
  roomId: z.string(),
  changeSeq: z.number().int().positive(),
  message: Message,
});

export const ErrorCode = z.enum([
  "bad_frame",
  "message_too_long",
  "message_empty",
  "unknown_room",
  "not_in_room",
  "unavailable",
  "internal",
  /** Too many frames of this kind from this person: wait `retryAfter` ms, then try again. */
  "rate_limited",
  /** The clientId was already used for a message in another room: pick a new one. */
  "client_id_conflict",
  /** The body has characters we do not store (NUL and control characters other than tab and newline). */
  "message_invalid",
  // --- room settings (admin slice) ---
  /** The room is archived: it is read-only until an administrator or its creator restores it. */
  "room_archived",
  // notify slice
  /** A typing frame came sooner than the typing interval allows; nothing was sent (retryAfter ms). */
  "typing_too_often",
  /** `@here`/`@room` is off, or the room has more members than it may reach; nothing was stored. */
  "room_mention_refused",
  // edits (issue 15 part A)
  /** No message with that seq in that room, or it was deleted. */
  "unknown_message",
  /** Only the author may edit a message (or delete it, unless an administrator). */
  "not_author",
  /** A reaction must be exactly one emoji. */
  "reaction_invalid",
  /** The message already carries as many different emoji as allowed. */
  "too_many_reactions",
  // files (issue 16):
  /** An attachment id is unknown, not the sender's upload, or already attached to another message. */
  "attachment_unavailable",
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** A refusal. `clientId` is set when it answers a particular send. */
export const ErrorFrame = z.object({
  type: z.literal("error"),
  code: ErrorCode,
  message: z.string(),
  roomId: z.string().optional(),
  clientId: z.string().optional(),
  /** The message a refused edit, delete, react or reply named. */
  seq: z.number().int().optional(),
  /** With `rate_limited` (and `unavailable` when known): milliseconds until a retry can succeed. */
  retryAfter: z.number().int().nonnegative().optional(),
});

export const ServerFrame = z.discriminatedUnion("type", [
  HelloFrame,
  JoinedFrame,
  LeftFrame,
  MessageFrame,
  PresenceFrame,
  AckFrame,
  RoomCreatedFrame,
  UnreadStateFrame,
  ActivityFrame,
  ReadPositionFrame,
  ErrorFrame,
  // --- room settings (admin slice) ---
  RoomUpdatedFrame,
  RoomDeletedFrame,
  // --- rooms-access ---
  RoomAddedFrame,
  RoomRemovedFrame,
  RoomMembersFrame,
  // --- end rooms-access ---
  // notify slice
  UserTypingFrame,
  MentionFrame,
  MentionStateFrame,
  NotifyFrame,
  // edits (issue 15 part A)
  MessageChangedFrame,
]);
export type ServerFrame = z.infer<typeof ServerFrame>;
export type ErrorFrame = z.infer<typeof ErrorFrame>;
export type JoinedFrame = z.infer<typeof JoinedFrame>;
export type PresenceFrame = z.infer<typeof PresenceFrame>;
export type MessageChangedFrame = z.infer<typeof MessageChangedFrame>;
