import { join } from "node:path";
import Database from "better-sqlite3";
import mysql from "mysql2/promise";
import pg from "pg";
import { type CorpusMessage, corpusMaker } from "./corpus.js";

export type SearchBackendName = "SQLite" | "PostgreSQL" | "MariaDB";

export interface SeedPlan {
  messages: number;
  roomIds: readonly string[];
  authorIds: readonly string[];
  /** Created_at of the first message; one every 30 s after it. */
  start: number;
  /** Called with each message made, to count expected hits. */
  observe(message: CorpusMessage, index: number): void;
}

interface MessageRow {
  room_id: string;
  seq: number;
  author_id: string;
  client_id: string;
  body: string;
  created_at: number;
}

interface PostingRow {
  token: string;
  room_id: string;
  seq: number;
  created_at: number;
}

/** Writes rows straight into Parley's tables (made by Parley's own migrations before). */
interface BulkWriter {
  write(messages: MessageRow[], postings: PostingRow[]): Promise<void>;
  lastSeq(roomId: string, seq: number): Promise<void>;
  close(): Promise<void>;
}

const BATCH = 5000;

/**
 * Fills the database with `plan.messages` corpus messages spread over the rooms, and their
 * search postings, as Parley would have written them. Seconds to minutes: far faster than sending
 * a million messages through the server.
 */
export async function seedSearchCorpus(
  backend: SearchBackendName,
  target: { dataDir?: string; databaseUrl?: string },
  plan: SeedPlan,
): Promise<void> {
  const writer = await openWriter(backend, target);
  const make = corpusMaker(20261202);
  const seqs = new Map(plan.roomIds.map((id) => [id, 0]));
  try {
    let messages: MessageRow[] = [];
    let postings: PostingRow[] = [];
    for (let i = 0; i < plan.messages; i++) {
      const message = make();
      plan.observe(message, i);
      const roomId = plan.roomIds[i % plan.roomIds.length] as string;
      const seq = (seqs.get(roomId) ?? 0) + 1;
      seqs.set(roomId, seq);
      const createdAt = plan.start + i * 30_000;
      messages.push({
        room_id: roomId,
        seq,
        author_id: plan.authorIds[i % plan.authorIds.length] as string,
        client_id: `seed-${String(i).padStart(10, "0")}`,
        body: message.body,
        created_at: createdAt,
      });
      for (const token of message.tokens)
        postings.push({ token, room_id: roomId, seq, created_at: createdAt });
      if (messages.length >= BATCH) {
        await writer.write(messages, postings);
        messages = [];
        postings = [];
      }
    }
    if (messages.length > 0) await writer.write(messages, postings);
    for (const [roomId, seq] of seqs) await writer.lastSeq(roomId, seq);
  } finally {
    await writer.close();
  }
}

async function openWriter(
  backend: SearchBackendName,
  target: { dataDir?: string; databaseUrl?: string },
): Promise<BulkWriter> {
  switch (backend) {
    case "SQLite": {
      const db = new Database(join(target.dataDir as string, "parley.sqlite"));
      // Safe here: a seed interrupted midway is thrown away with its scratch directory.
      db.pragma("synchronous = OFF");
      const message = db.prepare(
        "INSERT INTO messages (room_id, seq, author_id, client_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      );
      const posting = db.prepare(
        "INSERT INTO search_postings (token, room_id, seq, created_at) VALUES (?, ?, ?, ?)",
      );
      const write = db.transaction((messages: MessageRow[], postings: PostingRow[]) => {
        for (const m of messages)
          message.run(m.room_id, m.seq, m.author_id, m.client_id, m.body, m.created_at);
        for (const p of postings) posting.run(p.token, p.room_id, p.seq, p.created_at);
      });
      return {
        async write(messages, postings) {
          write(messages, postings);
        },
        async lastSeq(roomId, seq) {
          db.prepare("UPDATE rooms SET last_seq = ? WHERE id = ?").run(seq, roomId);
        },
        async close() {
          db.pragma("wal_checkpoint(TRUNCATE)");
          db.close();
        },
      };
    }
    case "PostgreSQL": {
      const client = new pg.Client({ connectionString: target.databaseUrl });
      await client.connect();
      return {
        async write(messages, postings) {
          await client.query(
            `INSERT INTO messages (room_id, seq, author_id, client_id, body, created_at)
             SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::bigint[])`,
            [
              messages.map((m) => m.room_id),
              messages.map((m) => m.seq),
              messages.map((m) => m.author_id),
              messages.map((m) => m.client_id),
              messages.map((m) => m.body),
              messages.map((m) => m.created_at),
            ],
          );
          await client.query(
            `INSERT INTO search_postings (token, room_id, seq, created_at)
             SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::bigint[])`,
            [
              postings.map((p) => p.token),
              postings.map((p) => p.room_id),
              postings.map((p) => p.seq),
              postings.map((p) => p.created_at),
            ],
          );
        },
        async lastSeq(roomId, seq) {
          await client.query("UPDATE rooms SET last_seq = $1 WHERE id = $2", [seq, roomId]);
        },
        async close() {
          await client.query("ANALYZE messages");
          await client.query("ANALYZE search_postings");
          await client.end();
        },
      };
    }
    case "MariaDB": {
      const connection = await mysql.createConnection({ uri: target.databaseUrl, charset: "utf8mb4" });
      await connection.query("SET unique_checks = 0, foreign_key_checks = 0");
      return {
        async write(messages, postings) {
          await connection.query(
            "INSERT INTO messages (room_id, seq, author_id, client_id, body, created_at) VALUES ?",
            [messages.map((m) => [m.room_id, m.seq, m.author_id, m.client_id, m.body, m.created_at])],
          );
          for (let i = 0; i < postings.length; i += 10_000) {
            await connection.query("INSERT INTO search_postings (token, room_id, seq, created_at) VALUES ?", [
              postings.slice(i, i + 10_000).map((p) => [p.token, p.room_id, p.seq, p.created_at]),
            ]);
          }
        },
        async lastSeq(roomId, seq) {
          await connection.query("UPDATE rooms SET last_seq = ? WHERE id = ?", [seq, roomId]);
        },
        async close() {
          await connection.query("ANALYZE TABLE messages, search_postings");
          await connection.end();
        },
      };
    }
  }
}
