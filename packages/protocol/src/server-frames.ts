import { z } from "zod";
import { Member, Message, Room } from "./entities.js";
import { PagedMessage, refineAuthors } from "./message-page.js";

/** First frame on every socket: who the server believes you are. */
export const HelloFrame = z.object({
  type: z.literal("hello"),
  user: Member,
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
  })
  .superRefine(refineAuthors);

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
]);
export type ServerFrame = z.infer<typeof ServerFrame>;
export type ErrorFrame = z.infer<typeof ErrorFrame>;
export type JoinedFrame = z.infer<typeof JoinedFrame>;
export type PresenceFrame = z.infer<typeof PresenceFrame>;
