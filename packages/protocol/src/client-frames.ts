import { z } from "zod";
import { MAX_ATTACHMENTS_PER_MESSAGE, UploadId } from "./attachments.js";
import { MAX_SEQUENCE, MAX_TIME_ZONE_LENGTH } from "./limits.js";
import { changeCursor, DeleteFrame, EditFrame, ReactFrame } from "./message-changes.js";

/** A room sequence as a client may name it; see MAX_SEQUENCE. */
const Sequence = z.number().int().nonnegative().max(MAX_SEQUENCE, `a sequence is at most ${MAX_SEQUENCE}`);

/**
 * Frames the browser sends. Nothing here names an author: the server takes the
 * author from the session, and unknown keys are stripped by zod.
 */
export const ClientId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, "clientId may hold only letters, digits, _ and -");

export const JoinFrame = z.object({
  type: z.literal("join"),
  roomId: z.string().min(1).max(64),
  /** Last sequence the client has seen in this room; the server sends what came after. */
  since: Sequence.optional(),
  /** Last change sequence the client holds (edits, deletions, reactions); see message_changed. */
  ...changeCursor,
});

export const LeaveFrame = z.object({
  type: z.literal("leave"),
  roomId: z.string().min(1).max(64),
});

export const SendFrame = z.object({
  type: z.literal("send"),
  roomId: z.string().min(1).max(64),
  clientId: ClientId,
  /** Length and emptiness are message rules of the chat domain, answered with their own error codes. */
  body: z.string(),
  /** The seq of the message (in the same room) this one answers. */
  replyTo: z.number().int().positive().max(MAX_SEQUENCE).optional(),
  /**
   * Ids of the sender's own pending uploads (`POST /api/uploads`), bound to this message when it
   * is stored. With attachments the body may be empty.
   */
  attachments: z
    .array(UploadId)
    .max(MAX_ATTACHMENTS_PER_MESSAGE, `a message carries at most ${MAX_ATTACHMENTS_PER_MESSAGE} files`)
    .optional(),
});

/** The user has seen the room up to `seq`; read positions only move forward. */
export const ReadFrame = z.object({
  type: z.literal("read"),
  roomId: z.string().min(1).max(64),
  seq: Sequence,
});

// --- presence status (admin slice) ---
/**
 * The person used this tab just now (typed, clicked, focused it). Sent at most every
 * `activityReportMs` of `hello`; without one for `awayAfterMs` the person shows as away.
 * `timeZone` is the browser's IANA zone, for the local time on their profile card.
 */
export const ActiveFrame = z.object({
  type: z.literal("active"),
  timeZone: z
    .string()
    .max(MAX_TIME_ZONE_LENGTH)
    .regex(/^[A-Za-z0-9_+\-/]+$/, "timeZone must be an IANA time zone name")
    .optional(),
});
// notify slice: typing indicator.
/** The person is typing in a joined room; clients send it at most every TYPING_INTERVAL_MS while typing. */
export const TypingFrame = z.object({
  type: z.literal("typing"),
  roomId: z.string().min(1).max(64),
});
export type TypingFrame = z.infer<typeof TypingFrame>;
// end notify slice

export const ClientFrame = z.discriminatedUnion("type", [
  JoinFrame,
  LeaveFrame,
  SendFrame,
  ReadFrame,
  ActiveFrame,
  // notify slice
  TypingFrame,
  // edits (issue 15 part A)
  EditFrame,
  DeleteFrame,
  ReactFrame,
]);
export type ClientFrame = z.infer<typeof ClientFrame>;
export type JoinFrame = z.infer<typeof JoinFrame>;
export type LeaveFrame = z.infer<typeof LeaveFrame>;
export type SendFrame = z.infer<typeof SendFrame>;
export type ReadFrame = z.infer<typeof ReadFrame>;
export type ActiveFrame = z.infer<typeof ActiveFrame>;
