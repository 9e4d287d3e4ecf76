import { spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZipFile } from "yazl";
import { openSlackExport } from "../../src/import/slack-export.js";
import { SlackImport, type SlackImportReport } from "../../src/import/slack-import.js";
import { type DatabaseHandle, openDatabase } from "../../src/storage/database.js";
import { migrateToLatest } from "../../src/storage/migrate.js";
import type { Database } from "../../src/storage/schema.js";
import { SearchRepository } from "../../src/storage/search-repository.js";
import { mariadbWithServerDefaultCollation, sqliteDatabase, testDatabases } from "../support/databases.js";
import { startServer, type TestServer } from "../support/parley-server.js";
import { mockGithubAndGoogle, type ProviderMocks, signInWith } from "../support/provider-mocks.js";

const FIXTURE = join(import.meta.dirname, "..", "fixtures", "slack-export");

/** The fixture as Slack hands it out: a zip, here with the export's folder at its top. */
async function zippedFixture(): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), "parley-slack-")), "export.zip");
  const zip = new ZipFile();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else zip.addFile(path, `slack-export/${relative(FIXTURE, path)}`);
    }
  };
  walk(FIXTURE);
  zip.end();
  await new Promise<void>((resolve, reject) => {
    zip.outputStream.pipe(createWriteStream(file)).on("close", resolve).on("error", reject);
  });
  return file;
}

/** A person who used Parley before the import, with the email Ada has in Slack. */
async function existingPerson(db: Kysely<Database>, kind: DatabaseHandle["kind"]): Promise<string> {
  const now = kind === "sqlite" ? new Date().toISOString() : new Date();
  await db
    .insertInto("user")
    .values({
      id: "parley-ada",
      name: "Ada (Parley)",
      email: "ada@example.com",
      emailVerified: kind === "sqlite" ? 1 : true,
      image: null,
      isAnonymous: kind === "sqlite" ? 0 : false,
      createdAt: now,
      updatedAt: now,
    })
    .execute();
  return "parley-ada";
}

interface StoredMessage {
  seq: number;
  author: string;
  body: string;
  createdAt: number;
}

async function roomMessages(db: Kysely<Database>, roomName: string): Promise<StoredMessage[]> {
  const rows = await db
    .selectFrom("messages as m")
    .innerJoin("rooms as r", "r.id", "m.room_id")
    .innerJoin("user as u", "u.id", "m.author_id")
    .select(["m.seq", "u.name", "m.body", "m.created_at"])
    .where("r.name", "=", roomName)
    .orderBy("m.seq")
    .execute();
  return rows.map((row) => ({
    seq: Number(row.seq),
    author: row.name,
    body: row.body,
    createdAt: Number(row.created_at),
  }));
}

async function counts(db: Kysely<Database>) {
  const count = async (table: "user" | "rooms" | "messages" | "memberships") =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    people: await count("user"),
    rooms: await count("rooms"),
    messages: await count("messages"),
    memberships: await count("memberships"),
  };
}

async function importFixture(handle: DatabaseHandle, location: string): Promise<SlackImportReport> {
  const source = await openSlackExport(location);
  try {
    // Small batches, so the fixture spans several transactions as a big export does.
    return await new SlackImport(handle.db, handle.kind, source, { batchSize: 3 }).run();
  } finally {
    await source.close();
  }
}

const databases = [testDatabases(), mariadbWithServerDefaultCollation() ?? []].flat();

describe.each(databases)("import from Slack on $name", (testDatabase) => {
  let handle: DatabaseHandle;
  let drop: () => Promise<void>;
  let first: SlackImportReport;
  let adaId: string;

  beforeAll(async () => {
    const created = await testDatabase.create();
    drop = created.drop;
    handle = openDatabase(created.url);
    await migrateToLatest(handle.db as Kysely<unknown>, handle.kind);
    adaId = await existingPerson(handle.db, handle.kind);
    const now = Date.now();
    // A new install's empty #general, and a #random that already has its own history.
    await handle.db
      .insertInto("rooms")
      .values([
        {
          id: "room-general",
          slug: "general",
          name: "general",
          name_key: "general",
          created_at: now,
          last_seq: 0,
        },
        {
          id: "room-random",
          slug: "random",
          name: "random",
          name_key: "random",
          created_at: now,
          last_seq: 1,
        },
      ])
      .execute();
    await handle.db
      .insertInto("messages")
      .values({
        room_id: "room-random",
        seq: 1,
        author_id: adaId,
        client_id: "c1",
        body: "ours",
        created_at: now,
      })
      .execute();
    first = await importFixture(handle, await zippedFixture());
  });

  afterAll(async () => {
    await handle?.close();
    await drop?.();
  });

  it("reports what it did", () => {
    expect(first.people).toEqual({ created: 4, matchedByEmail: 1, alreadyImported: 0 });
    expect(first.rooms).toEqual({
      created: 2,
      adopted: 1,
      alreadyImported: 0,
      renamed: ["random → random (Slack)"],
    });
    expect(first.messages).toEqual({ imported: 11, alreadyImported: 0, skippedEvents: 1, unreadable: 1 });
    expect(first.privateConversationsSkipped).toBe(2);
  });

  it("keeps a channel's messages in time order, numbered from 1, with markdown, threads quoted and files linked", async () => {
    const general = await roomMessages(handle.db, "general");
    expect(general.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(general.map((m) => [m.author, m.body])).toEqual([
      ["Ada (Parley)", "Hello **everyone**, see [the docs](https://example.com/snake_case/docs) & say hi"],
      ["佐藤", "こんにちは、@Adaさん！*よろしく*お願いします"],
      ["Ada (Parley)", "Release plan for v2?\nDetails below"],
      ["佐藤", "> @Ada: Release plan for v2?\n\n来週です ~~たぶん~~"],
      ["Ada (Parley)", "Fixed the typo in the plan"],
      ["Ghost Writer", "I was never in users.json"],
      ["Ada (Parley)", "> @Ada: Release plan for v2?\n\nAgreed, #開発 will track it"],
      ["Ada (Parley)", "📎 [Plan v2](https://parley-demo.slack.com/files/U01ADA/F01/plan.pdf)"],
    ]);
    expect(general[0]?.createdAt).toBe(1705312800000);
    const times = general.map((m) => m.createdAt);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it("imports Japanese channels, deleted people and bots, and leaves a room with history alone", async () => {
    expect((await roomMessages(handle.db, "開発")).map((m) => [m.author, m.body])).toEqual([
      ["佐藤", "明日の会議は10時からです"],
      ["Bob Former", "OK 👍"],
    ]);
    expect((await roomMessages(handle.db, "random (Slack)")).map((m) => [m.author, m.body])).toEqual([
      ["deploybot", "Deployed `main` to **prod**"],
    ]);
    expect((await roomMessages(handle.db, "random")).map((m) => m.body)).toEqual(["ours"]);
    const room = await handle.db
      .selectFrom("rooms")
      .select(["slug", "last_seq"])
      .where("name", "=", "開発")
      .executeTakeFirstOrThrow();
    expect(room).toEqual({ slug: "開発", last_seq: 2 });
  });

  it("makes what it imported searchable, Japanese two-character words included", async () => {
    const rooms = await handle.db
      .selectFrom("rooms")
      .select(["id", "last_seq", "search_indexed_seq"])
      .execute();
    const found = await new SearchRepository(handle.db, handle.kind).candidates({
      requirements: [{ token: "会議" }],
      roomIds: rooms.map((r) => r.id),
      limit: 10,
    });
    expect(found.messages.map((m) => m.body)).toEqual(["明日の会議は10時からです"]);
    for (const room of rooms) expect(Number(room.search_indexed_seq)).toBe(Number(room.last_seq));
  });

  it("imports no private channel or direct message", async () => {
    const secret = await handle.db
      .selectFrom("messages")
      .select("body")
      .where("body", "like", "%private%")
      .execute();
    expect(secret).toEqual([]);
    expect(await handle.db.selectFrom("rooms").select("name").where("name", "=", "secret").execute()).toEqual(
      [],
    );
  });

  it("makes channel members room members who have read the imported history", async () => {
    const rows = await handle.db
      .selectFrom("memberships as m")
      .innerJoin("user as u", "u.id", "m.user_id")
      .innerJoin("rooms as r", "r.id", "m.room_id")
      .select(["u.name", "r.name as room", "m.last_read_seq"])
      .execute();
    const listed = rows
      .map((row) => [row.room, row.name, Number(row.last_read_seq)])
      .sort((a, b) => (`${a[0]} ${a[1]}` < `${b[0]} ${b[1]}` ? -1 : 1));
    expect(listed).toEqual([
      ["general", "Ada (Parley)", 8],
      ["general", "佐藤", 8],
      ["random (Slack)", "Ada (Parley)", 1],
      ["開発", "Bob Former", 2],
      ["開発", "佐藤", 2],
    ]);
  });

  it("gives people with a Slack email that email, verified, so their first sign-in links to them; others an address nobody has", async () => {
    const people = await handle.db
      .selectFrom("user")
      .select(["name", "email", "emailVerified"])
      .where("id", "!=", adaId)
      .execute();
    // Sorted here: the databases' collations order names differently.
    const rows = people
      .map((p) => [p.name, p.email, Boolean(p.emailVerified)])
      .sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1));
    expect(rows).toEqual([
      ["Bob Former", "u03bob.t0parley@slack-import.invalid", false],
      ["Ghost Writer", "u09ghost.t0parley@slack-import.invalid", false],
      ["deploybot", "bot-b01deploy.t0parley@slack-import.invalid", false],
      ["佐藤", "hanako@example.jp", true],
    ]);
  });

  it("adds nothing when the same export is imported again (unpacked this time)", async () => {
    const before = await counts(handle.db);
    const again = await importFixture(handle, FIXTURE);
    expect(again.people).toEqual({ created: 0, matchedByEmail: 0, alreadyImported: 5 });
    expect(again.rooms).toEqual({ created: 0, adopted: 0, alreadyImported: 3, renamed: [] });
    expect(again.messages).toEqual({ imported: 0, alreadyImported: 11, skippedEvents: 1, unreadable: 1 });
    expect(await counts(handle.db)).toEqual(before);
  });
});

describe("parley import-slack", () => {
  it("imports a zip from the command line (as `import slack`) and prints the report", async () => {
    const { url } = await sqliteDatabase.create();
    const result = await new Promise<{ status: number | null; stdout: string; stderr: string }>(
      (resolve, reject) => {
        void zippedFixture().then((zip) => {
          const child = spawn(
            process.execPath,
            ["--conditions=parley-source", "--import", "tsx", "src/main/cli.ts", "import", "slack", zip],
            {
              env: { ...process.env, NODE_ENV: "test", DATABASE_URL: url, AUTH_SECRET: "x".repeat(40) },
              stdio: ["ignore", "pipe", "pipe"],
            },
          );
          let stdout = "";
          let stderr = "";
          child.stdout.on("data", (chunk: Buffer) => {
            stdout += chunk.toString();
          });
          child.stderr.on("data", (chunk: Buffer) => {
            stderr += chunk.toString();
          });
          child.once("error", reject);
          child.once("close", (status) => resolve({ status, stdout, stderr }));
        }, reject);
      },
    );
    expect(result.stderr).toContain("#general: 8 messages imported from 2 days");
    expect(result.stdout).toContain("messages: 11 imported, 0 already there");
    expect(result.stdout).toContain("private channels, group and direct messages not imported: 2");
    expect(result.status).toBe(0);
  });

  it("says plainly when the file is not a Slack export", async () => {
    const { url } = await sqliteDatabase.create();
    const child = spawn(
      process.execPath,
      [
        "--conditions=parley-source",
        "--import",
        "tsx",
        "src/main/cli.ts",
        "import-slack",
        join(FIXTURE, "general"),
      ],
      { env: { ...process.env, NODE_ENV: "test", DATABASE_URL: url }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const status = await new Promise<number | null>((resolve) => child.once("close", resolve));
    expect(stderr.trim()).toBe(
      "parley: this is not a Slack export: it has neither users.json nor channels.json",
    );
    expect(status).toBe(1);
  });
});

describe("an imported person's first sign-in", () => {
  let server: TestServer;
  let mocks: ProviderMocks;

  beforeAll(async () => {
    mocks = await mockGithubAndGoogle();
    server = await startServer({ env: mocks.env });
    const source = await openSlackExport(FIXTURE);
    try {
      await new SlackImport(server.parley.db, "sqlite", source).run();
    } finally {
      await source.close();
    }
  });

  afterAll(async () => {
    await server?.close();
    await mocks?.restore();
  });

  it("links a provider that vouches for the Slack email to the imported person and their history", async () => {
    const imported = await server.parley.db
      .selectFrom("user")
      .select("id")
      .where("email", "=", "hanako@example.jp")
      .executeTakeFirstOrThrow();
    mocks.github(
      {
        id: 77,
        login: "hanako",
        name: "Hanako Sato",
        email: "hanako@example.jp",
        avatar_url: "https://a.example/h",
      },
      [{ email: "hanako@example.jp", primary: true, verified: true }],
    );
    const signedIn = await signInWith(server.url, "github");
    expect(signedIn.sessionCookie).toBeDefined();
    const me = (await (
      await fetch(`${server.url}/api/me`, { headers: { cookie: signedIn.sessionCookie as string } })
    ).json()) as { user: { id: string; name: string } };
    expect(me.user).toMatchObject({ id: imported.id, name: "Hanako Sato" });
    // The server's own empty #general took the channel's history, with her messages in it.
    const general = await roomMessages(server.parley.db, "general");
    expect(general.filter((m) => m.author === "Hanako Sato").map((m) => m.body)).toEqual([
      "こんにちは、@Adaさん！*よろしく*お願いします",
      "> @Ada: Release plan for v2?\n\n来週です ~~たぶん~~",
    ]);
  });

  it("never links anyone to a person Slack gave no email", async () => {
    mocks.github(
      {
        id: 78,
        login: "bob",
        name: "Bob",
        email: "u03bob.t0parley@slack-import.invalid",
        avatar_url: "https://a.example/b",
      },
      [{ email: "u03bob.t0parley@slack-import.invalid", primary: true, verified: false }],
    );
    const attempt = await signInWith(server.url, "github");
    // better-auth's account table is not in Parley's own schema type.
    const accounts = server.parley.db as unknown as Kysely<{
      account: { id: string; userId: string };
      user: { id: string; email: string };
    }>;
    const bob = await accounts
      .selectFrom("account")
      .innerJoin("user", "user.id", "account.userId")
      .select("account.id")
      .where("user.email", "=", "u03bob.t0parley@slack-import.invalid")
      .execute();
    expect(attempt.sessionCookie).toBeUndefined();
    expect(bob).toEqual([]);
  });
});
