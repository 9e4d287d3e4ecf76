import type { Transaction } from "kysely";
import { tokensOf } from "../chat/search/text-units.js";
import type { Database, SearchPostingTable } from "./schema.js";

/** Rows per INSERT: four parameters each, well inside every database's limit. */
const POSTING_CHUNK = 500;

interface IndexedMessage {
  room_id: string;
  seq: number;
  body: string;
  created_at: number;
}

/** One row per distinct token of the message (decision 0039). */
export function postingsOf(message: IndexedMessage): SearchPostingTable[] {
  return [...tokensOf(message.body)].map((token) => ({
    token,
    room_id: message.room_id,
    seq: message.seq,
    created_at: message.created_at,
  }));
}

/** Writes the messages' postings inside the caller's transaction (the send's own, for new messages). */
export async function insertPostings(
  trx: Transaction<Database>,
  messages: readonly IndexedMessage[],
): Promise<void> {
  const rows = messages.flatMap(postingsOf);
  for (let i = 0; i < rows.length; i += POSTING_CHUNK) {
    await trx
      .insertInto("search_postings")
      .values(rows.slice(i, i + POSTING_CHUNK))
      .execute();
  }
}
