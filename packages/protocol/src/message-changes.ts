import { z } from "zod";
import { MAX_SEQUENCE } from "./limits.js";
import { bodyExcerpt } from "./message-body.js";

/**
 * Edits, deletions, reactions and replies (issue 15 part A): the shapes both sides share.
 * Every change to a stored message gets the room's next *change sequence*, a second gap-free
 * counter beside the message sequence; see docs/decisions/0033-message-change-log.md.
 */

const Sequence = z.number().int().nonnegative().max(MAX_SEQUENCE, `a sequence is at most ${MAX_SEQUENCE}`);
const MessageSequence = z
  .number()
  .int()
  .positive()
  .max(MAX_SEQUENCE, `a sequence is at most ${MAX_SEQUENCE}`);
const RoomId = z.string().min(1).max(64);

/** Most UTF-16 code units one reaction may take: long enough for a family emoji with skin tones. */
export const MAX_REACTION_LENGTH = 32;
/** Most different emoji on one message; adding one more is refused with `too_many_reactions`. */
export const MAX_REACTIONS_PER_MESSAGE = 20;
/** Characters of the quoted message a reply carries (the client shows the start of it). */
export const REPLY_EXCERPT_LENGTH = 160;

/** What a reply quotes of the message it answers; the server and the browser cut it alike. */
export function replyExcerpt(body: string): string {
  return bodyExcerpt(body, REPLY_EXCERPT_LENGTH);
}

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
const FLAG = /^\p{Regional_Indicator}{2}$/u;
const KEYCAP = /^[0-9#*]\uFE0F?\u20E3$/u;

/**
 * True when `text` is exactly one emoji: one grapheme cluster (Intl.Segmenter, so ZWJ
 * sequences, skin tones and flags count as one) that is pictographic, a flag or a keycap.
 */
export function isSingleEmoji(text: string): boolean {
  if (text.length === 0 || text.length > MAX_REACTION_LENGTH) return false;
  const segments = [...graphemes.segment(text)];
  if (segments.length !== 1) return false;
  return PICTOGRAPHIC.test(text) || FLAG.test(text) || KEYCAP.test(text);
}

export const ReactionEmoji = z.string().refine(isSingleEmoji, "a reaction is exactly one emoji");

/** Who reacted with one emoji, in the order they did. */
export const Reaction = z.object({
  emoji: z.string(),
  users: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type Reaction = z.infer<typeof Reaction>;

/** What a reply shows of the message it answers (as it was when the reply was read). */
export const ReplyPreview = z.object({
  seq: z.number().int().positive(),
  authorId: z.string(),
  authorName: z.string(),
  /** The start of the quoted body; empty when that message was deleted. */
  excerpt: z.string(),
  deleted: z.boolean().optional(),
});
export type ReplyPreview = z.infer<typeof ReplyPreview>;

/** Change the body of one of your own messages. */
export const EditFrame = z.object({
  type: z.literal("edit"),
  roomId: RoomId,
  seq: MessageSequence,
  /** Same rules as a send (length, emptiness, characters), answered with the same error codes. */
  body: z.string(),
});

/** Delete a message (your own; administrators any). It stays as a tombstone without its body. */
export const DeleteFrame = z.object({
  type: z.literal("delete"),
  roomId: RoomId,
  seq: MessageSequence,
});

/** Add or take back your reaction with one emoji. */
export const ReactFrame = z.object({
  type: z.literal("react"),
  roomId: RoomId,
  seq: MessageSequence,
  emoji: z.string().max(64),
  action: z.enum(["add", "remove"]),
});

export type EditFrame = z.infer<typeof EditFrame>;
export type DeleteFrame = z.infer<typeof DeleteFrame>;
export type ReactFrame = z.infer<typeof ReactFrame>;

/** Fields of `join` for the change log: the last change sequence the client holds. */
export const changeCursor = { changesSince: Sequence.optional() };
