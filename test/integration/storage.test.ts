import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/storage/database.js";
import { MessageRepository } from "../../src/storage/message-repository.js";
import { migrateToLatest } from "../../src/storage/migrate.js";
import { RoomRepository } from "../../src/storage/room-repository.js";
import type { Database } from "../../src/storage/schema.js";
import { testDatabases } from "../support/databases.js";

describe.each(testDatabases())("message storage on $name", (database) => {
  const handles: Kysely<Database>[] = [];
  let url: string;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    ({ url, drop } = await database.create());
    const { db, kind } = openDatabase(url);
    handles.push(db);
    await migrateToLatest(db as Kysely<unknown>, kind);
    // Running the migrations again is a no-op.
    expect(await migrateToLatest(db as Kysely<unknown>, kind)).toEqual([]);
    await db
      .insertInto("user")
      .values({
        id: "writer",
        name: "Writer",
        email: "w@example.com",
        emailVerified: kind === "sqlite" ? 0 : false,
        image: null,
        isAnonymous: kind === "sqlite" ? 0 : false,
        createdAt: new Date().toISOString().slice(0, 19).replace("T", " "),
        updatedAt: new Date().toISOString().slice(0, 19).replace("T", " "),
      })
      .execute();
    await new RoomRepository(db).tryCreate(
      { id: "room-1", slug: "room-1", name: "Room 1", createdAt: 0, kind: "open", createdBy: null },
      "room 1",
    );
  });

  afterAll(async () => {
    for (const handle of handles) await handle.destroy();
    await drop?.();
  });

  it("keeps the room sequence gap-free and unique under concurrent writers", async () => {
    // Separate pools, as separate nodes would have. SQLite has one writer per file: a single
    // connection serialises the transactions (several in one process would deadlock on its lock).
    const writers = Array.from({ length: 4 }, () => {
      if (database.name === "sqlite") return new MessageRepository(handles[0] as Kysely<Database>);
      const { db } = openDatabase(url);
      handles.push(db);
      return new MessageRepository(db);
    });
    const author = { id: "writer", name: "Writer", image: "/w.svg" };
    const perWriter = 40;
    const results = await Promise.all(
      writers.flatMap((writer, w) =>
        Array.from({ length: perWriter }, (_, i) =>
          writer.append({
            roomId: "room-1",
            author,
            clientId: `w${w}-${i}`,
            body: `${w}/${i}`,
            createdAt: i,
          }),
        ),
      ),
    );
    const total = writers.length * perWriter;
    expect(results.every((result) => !result.duplicate)).toBe(true);
    expect(results.map((result) => result.message.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: total }, (_, i) => i + 1),
    );
    // The same client ids again, concurrently: nothing new, same numbers.
    const again = await Promise.all(
      writers.map((writer, w) =>
        writer.append({ roomId: "room-1", author, clientId: `w${w}-0`, body: "x", createdAt: 0 }),
      ),
    );
    expect(again.every((result) => result.duplicate)).toBe(true);
    // A retry and a new message in one batch: the retry's reserved number is given back.
    const [retry, next] = await Promise.all([
      writers[0]?.append({ roomId: "room-1", author, clientId: "w0-1", body: "x", createdAt: 0 }),
      writers[0]?.append({ roomId: "room-1", author, clientId: "after-retry", body: "y", createdAt: 0 }),
    ]);
    expect(retry?.duplicate).toBe(true);
    expect(next?.message.seq).toBe(total + 1);
    const reader = writers[0] as MessageRepository;
    expect((await reader.latest("room-1", 1000)).map((m) => m.seq)).toEqual(
      Array.from({ length: total + 1 }, (_, i) => i + 1),
    );
    expect((await reader.before("room-1", 11, 5)).map((m) => m.seq)).toEqual([6, 7, 8, 9, 10]);
    expect((await reader.after("room-1", total - 2, 5)).map((m) => m.seq)).toEqual([
      total - 1,
      total,
      total + 1,
    ]);
  });
});
