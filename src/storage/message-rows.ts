import type { Message, Reaction } from "@parley/protocol";
import { replyExcerpt } from "@parley/protocol";
import type { Kysely, Transaction } from "kysely";
import { toMember } from "../chat/member.js";
import type { Database } from "./schema.js";

export type Reader = Kysely<Database> | Transaction<Database>;

/** Messages joined with their authors' current name and avatar, and the message each one answers. */
export function selectMessages(reader: Reader) {
  return reader
    .selectFrom("messages as m")
    .innerJoin("user as u", "u.id", "m.author_id")
    .leftJoin("messages as q", (join) =>
      join.onRef("q.room_id", "=", "m.room_id").onRef("q.seq", "=", "m.reply_to_seq"),
    )
    .leftJoin("user as qu", "qu.id", "q.author_id")
    .select([
      "m.room_id",
      "m.seq",
      "m.client_id",
      "m.body",
      "m.created_at",
      "m.change_seq",
      "m.edited_at",
      "m.deleted_at",
      "m.reply_to_seq",
      "u.id as author_id",
      "u.name as author_name",
      "u.image as author_image",
      "q.body as reply_body",
      "q.deleted_at as reply_deleted_at",
      "qu.id as reply_author_id",
      "qu.name as reply_author_name",
    ]);
}

interface MessageRow {
  room_id: string;
  seq: number;
  client_id: string;
  body: string;
  created_at: number;
  change_seq: number;
  edited_at: number | null;
  deleted_at: number | null;
  reply_to_seq: number | null;
  author_id: string;
  author_name: string;
  author_image: string | null;
  reply_body: string | null;
  reply_deleted_at: number | null;
  reply_author_id: string | null;
  reply_author_name: string | null;
}

export function toMessage(row: MessageRow): Message {
  const message: Message = {
    roomId: row.room_id,
    seq: Number(row.seq),
    clientId: row.client_id,
    author: toMember({ id: row.author_id, name: row.author_name, image: row.author_image }),
    body: row.body,
    createdAt: Number(row.created_at),
  };
  // Optional fields only when set, so an unchanged message looks as it always did on the wire.
  const changeSeq = Number(row.change_seq ?? 0);
  if (changeSeq > 0) message.changeSeq = changeSeq;
  if (row.edited_at !== null && row.edited_at !== undefined) message.editedAt = Number(row.edited_at);
  if (row.deleted_at !== null && row.deleted_at !== undefined) message.deletedAt = Number(row.deleted_at);
  if (row.reply_to_seq !== null && row.reply_to_seq !== undefined && row.reply_author_id) {
    const deleted = row.reply_deleted_at !== null && row.reply_deleted_at !== undefined;
    message.replyTo = {
      seq: Number(row.reply_to_seq),
      authorId: row.reply_author_id,
      authorName: row.reply_author_name ?? "",
      excerpt: deleted ? "" : replyExcerpt(row.reply_body ?? ""),
      ...(deleted && { deleted: true }),
    };
  }
  return message;
}

/**
 * `messages` (all of one room) with their reactions filled in: one query on the reactions'
 * primary key, each emoji once with its people in the order they reacted.
 */
export async function withReactions(reader: Reader, messages: Message[]): Promise<Message[]> {
  const first = messages[0];
  if (!first) return messages;
  const live = messages.filter((message) => message.deletedAt === undefined);
  if (live.length === 0) return messages;
  const rows = await reader
    .selectFrom("reactions as r")
    .innerJoin("user as u", "u.id", "r.user_id")
    .select(["r.message_seq", "r.emoji", "r.user_id", "u.name", "r.created_at"])
    .where("r.room_id", "=", first.roomId)
    .where(
      "r.message_seq",
      "in",
      live.map((message) => message.seq),
    )
    .orderBy("r.message_seq")
    .orderBy("r.created_at")
    .orderBy("r.user_id")
    .execute();
  if (rows.length === 0) return messages;
  const bySeq = new Map<number, Map<string, Reaction>>();
  for (const row of rows) {
    const seq = Number(row.message_seq);
    let emoji = bySeq.get(seq);
    if (!emoji) {
      emoji = new Map();
      bySeq.set(seq, emoji);
    }
    let reaction = emoji.get(row.emoji);
    if (!reaction) {
      reaction = { emoji: row.emoji, users: [] };
      emoji.set(row.emoji, reaction);
    }
    reaction.users.push({ id: row.user_id, name: row.name });
  }
  return messages.map((message) => {
    const reactions = bySeq.get(message.seq);
    return reactions ? { ...message, reactions: [...reactions.values()] } : message;
  });
}
