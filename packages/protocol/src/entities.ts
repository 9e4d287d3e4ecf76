import { z } from "zod";
import { Attachment, MAX_ATTACHMENTS_PER_MESSAGE } from "./attachments.js";
import { MAX_DIRECT_PEOPLE, MAX_ROOM_NAME_LENGTH, MAX_ROOM_TOPIC_LENGTH } from "./limits.js";
import { Reaction, ReplyPreview } from "./message-changes.js";

/** A person as other people see them: in the member list and on their messages. */
export const Member = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
});
export type Member = z.infer<typeof Member>;

// --- rooms-access: room kinds ---
/**
 * open: anyone sees and joins it. private: invitation only, invisible to everyone else.
 * direct: a conversation between a fixed set of 2 to MAX_DIRECT_PEOPLE people, named after them.
 */
export const RoomKind = z.enum(["open", "private", "direct"]);
export type RoomKind = z.infer<typeof RoomKind>;
// --- end rooms-access ---

export const Room = z.object({
  id: z.string(),
  slug: z.string(),
  /** Empty for a direct conversation: each person names it after the others in `people`. */
  name: z.string().max(MAX_ROOM_NAME_LENGTH),
  createdAt: z.number().int(),
  // --- rooms-access ---
  kind: RoomKind,
  /** Who created it; null for rooms made by the server (the default room) or before kinds existed. */
  createdBy: z.string().nullable(),
  /** Only for a direct conversation: everyone in it, the reader included. */
  people: z.array(Member).max(MAX_DIRECT_PEOPLE).optional(),
  // --- end rooms-access ---
  // --- room settings (admin slice): present only when set ---
  /** One line shown in the room's header; absent when the room has none. */
  topic: z.string().max(MAX_ROOM_TOPIC_LENGTH).optional(),
  /** Present (true) when the room is archived: read-only, out of the room list, restorable. */
  archived: z.boolean().optional(),
});
export type Room = z.infer<typeof Room>;

/** A stored message. `seq` is its gap-free position in its room, the resume cursor. */
export const Message = z.object({
  roomId: z.string(),
  seq: z.number().int().positive(),
  clientId: z.string(),
  author: Member,
  body: z.string(),
  createdAt: z.number().int(),
  // edits (issue 15 part A): absent on a message that was never changed.
  /** When the body was last edited. */
  editedAt: z.number().int().optional(),
  /** Set on a tombstone: the message was deleted and its body (now "") is gone from storage. */
  deletedAt: z.number().int().optional(),
  /** Reactions, each emoji once with who reacted, in the order the emoji were first used. */
  reactions: z.array(Reaction).optional(),
  /** The message this one answers. */
  replyTo: ReplyPreview.optional(),
  /** The room's change sequence of this message's latest change; the newer copy wins. */
  changeSeq: z.number().int().nonnegative().optional(),
  /** Files sent with the message; absent when there are none. */
  attachments: z.array(Attachment).max(MAX_ATTACHMENTS_PER_MESSAGE).optional(),
});
export type Message = z.infer<typeof Message>;
