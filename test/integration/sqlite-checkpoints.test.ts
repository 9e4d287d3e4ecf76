import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/storage/database.js";
import { startCheckpointer } from "../../src/storage/sqlite-checkpointer.js";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "parley-checkpoint-"));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Rows of `notes` in the main database file alone, as a copy without its WAL would show them. */
function rowsInMainFile(path: string, dir: string): number {
  const copy = join(dir, "copy.sqlite");
  copyFileSync(path, copy);
  const reader = new SQLite(copy, { readonly: true });
  try {
    return (reader.prepare("SELECT count(*) AS n FROM notes").get() as { n: number }).n;
  } finally {
    reader.close();
    rmSync(copy, { force: true });
  }
}

async function eventually(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}

describe("SQLite checkpoints off the event loop", () => {
  it("moves committed rows into the main database file by itself", async () => {
    const dir = tempDir();
    const path = join(dir, "parley.sqlite");
    const problems: string[] = [];
    const database = openDatabase(path, { backgroundCheckpoints: true, warn: (m) => problems.push(m) });
    try {
      await database.db.schema.createTable("notes").addColumn("body", "text").execute();
      for (let i = 0; i < 2000; i++) {
        await database.db
          .insertInto("notes" as never)
          .values({ body: `note ${i} ${"x".repeat(200)}` } as never)
          .execute();
      }
      // Far below the 1,000 WAL pages at which a commit would checkpoint: only the thread can
      // have put the rows in the main file.
      expect(await eventually(() => rowsInMainFile(path, dir) === 2000, 10_000)).toBe(true);
      expect(problems).toEqual([]);
    } finally {
      await database.close();
    }
  });

  it("gives checkpointing back to SQLite when the thread cannot run", async () => {
    const dir = tempDir();
    const path = join(dir, "parley.sqlite");
    const main = new SQLite(path);
    main.pragma("journal_mode = WAL");
    main.pragma("wal_autocheckpoint = 0");
    const problems: string[] = [];
    // The thread's connection needs the file to exist; a wrong path makes it fail at once.
    const checkpointer = startCheckpointer(join(dir, "missing", "nothing.sqlite"), main, (m) =>
      problems.push(m),
    );
    try {
      expect(await eventually(() => problems.length > 0, 10_000)).toBe(true);
      expect(problems[0]).toMatch(/checkpoint thread/);
      expect(main.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
    } finally {
      await checkpointer.stop();
      main.close();
    }
  });
});
