import type { Message } from "@parley/protocol";
import type { Kysely, Transaction } from "kysely";
import { toMember } from "../chat/member.js";
import type { Database } from "./schema.js";

export type Reader = Kysely<Database> | Transaction<Database>;

/** Messages joined with their authors' current name and avatar. */
export function selectMessages(reader: Reader) {
  return reader
    .selectFrom("messages as m")
    .innerJoin("user as u", "u.id", "m.author_id")
    .select([
      "m.room_id",
      "m.seq",
      "m.client_id",
      "m.body",
      "m.created_at",
      "u.id as author_id",
      "u.name as author_name",
      "u.image as author_image",
    ]);
}

interface MessageRow {
  room_id: string;
  seq: number;
  client_id: string;
  body: string;
  created_at: number;
  author_id: string;
  author_name: string;
  author_image: string | null;
}

export function toMessage(row: MessageRow): Message {
  return {
    roomId: row.room_id,
    seq: Number(row.seq),
    clientId: row.client_id,
    author: toMember({ id: row.author_id, name: row.author_name, image: row.author_image }),
    body: row.body,
    createdAt: Number(row.created_at),
  };
}
