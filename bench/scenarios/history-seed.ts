import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { SEED_DIR } from "../paths.js";
import { listRooms, me, signIn } from "../servers/parley-api.js";
import { withTarget } from "../servers/targets.js";
import type { Pinning } from "../system/pinning.js";

export interface HistorySeed {
  dataDir: string;
  roomId: string;
  messages: number;
}

const MARKER = "seeded.json";
const FILLER = "lorem ipsum dolor sit amet, consectetur adipiscing elit";

/**
 * A Parley data directory whose "general" room holds `messages` messages, made once and
 * reused by later runs (bench/data is not in git). Parley itself creates the schema and an
 * author by starting once on the directory, so the rows match whatever its migrations say;
 * the rows go in with one prepared statement in one transaction, which takes seconds where
 * sending them through the server would take hours.
 */
export async function ensureHistorySeed(
  messages: number,
  pinning: Pinning,
  log: (line: string) => void,
): Promise<HistorySeed> {
  const dataDir = join(SEED_DIR, `history-${messages}`);
  const marker = join(dataDir, MARKER);
  if (existsSync(marker)) {
    const seed = JSON.parse(readFileSync(marker, "utf8")) as HistorySeed;
    if (seed.messages === messages) return { ...seed, dataDir };
  }
  log(`    seeding ${messages.toLocaleString("en")} messages into ${dataDir} (once; reused by later runs)`);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });

  const { roomId, authorId } = await withTarget("parley", { pinning, dataDir }, async (target) => {
    const base = target.server.baseUrl;
    const { cookie } = await signIn(base, "historian");
    const author = await me(base, cookie);
    const general = (await listRooms(base, cookie)).find((room) => room.slug === "general");
    if (!general) throw new Error("Parley made no general room");
    return { roomId: general.id, authorId: author.id };
  });

  const db = new Database(join(dataDir, "parley.sqlite"));
  try {
    // Safe here: if the machine dies mid-seed, the marker is missing and the seed starts over.
    db.pragma("synchronous = OFF");
    const insert = db.prepare(
      "INSERT INTO messages (room_id, seq, author_id, client_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    );
    const start = Date.now() - messages * 1000;
    db.transaction(() => {
      for (let seq = 1; seq <= messages; seq++) {
        // Zero-padded, so the (author_id, client_id) index also fills in order.
        const clientId = `seed-${String(seq).padStart(10, "0")}`;
        insert.run(roomId, seq, authorId, clientId, `message ${seq}: ${FILLER}`, start + seq * 1000);
      }
      db.prepare("UPDATE rooms SET last_seq = ? WHERE id = ?").run(messages, roomId);
    })();
    db.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
  const seed: HistorySeed = { dataDir, roomId, messages };
  writeFileSync(marker, JSON.stringify(seed));
  return seed;
}
