import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect } from "kysely";
import { createPool as createMysqlPool } from "mysql2";
import pg from "pg";
import type { Database } from "./schema.js";
import { type Checkpointer, startCheckpointer } from "./sqlite-checkpointer.js";

export type DatabaseKind = "sqlite" | "mysql" | "postgres";

export interface DatabaseHandle {
  kind: DatabaseKind;
  db: Kysely<Database>;
  /** Closes the connections (and SQLite's checkpoint thread). */
  close(): Promise<void>;
}

export interface OpenOptions {
  /** SQLite: take WAL checkpoints in a worker thread (a long-running server; not a one-off migration). */
  backgroundCheckpoints?: boolean;
  /** Where problems that do not stop the database are reported. */
  warn?: (message: string) => void;
}

// BIGINT columns (epoch milliseconds) come back from pg as strings unless told otherwise.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export function databaseKind(url: string): DatabaseKind {
  if (/^mysql:\/\//i.test(url) || /^mariadb:\/\//i.test(url)) return "mysql";
  if (/^postgres(ql)?:\/\//i.test(url)) return "postgres";
  return "sqlite";
}

/** Opens the database named by DATABASE_URL: a SQLite path (default), mysql://… or postgres://…. */
export function openDatabase(url: string, options: OpenOptions = {}): DatabaseHandle {
  const kind = databaseKind(url);
  const handle = (db: Kysely<Database>, checkpointer?: Checkpointer): DatabaseHandle => ({
    kind,
    db,
    async close() {
      await checkpointer?.stop();
      await db.destroy();
    },
  });
  switch (kind) {
    case "mysql":
      return handle(
        new Kysely<Database>({
          dialect: new MysqlDialect({
            pool: createMysqlPool({
              uri: url.replace(/^mariadb:/i, "mysql:"),
              connectionLimit: 10,
              supportBigNumbers: true,
              charset: "utf8mb4",
              timezone: "Z",
            }),
          }),
        }),
      );
    case "postgres": {
      const pool = new pg.Pool({ connectionString: url, max: 10 });
      // An idle connection the server dropped (restart, failover) must not crash the process;
      // the pool replaces it and the next query reconnects.
      pool.on("error", () => undefined);
      return handle(new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }));
    }
    case "sqlite": {
      const path = url.replace(/^sqlite:(\/\/)?/i, "");
      if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
      const sqlite = new SQLite(path);
      // WAL lets readers run beside the writer; NORMAL sync is durable across process crashes.
      sqlite.pragma("journal_mode = WAL");
      sqlite.pragma("synchronous = NORMAL");
      sqlite.pragma("foreign_keys = ON");
      sqlite.pragma("busy_timeout = 5000");
      const checkpointer =
        options.backgroundCheckpoints && path !== ":memory:"
          ? startCheckpointer(path, sqlite, options.warn ?? (() => undefined))
          : undefined;
      return handle(
        new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) }),
        checkpointer,
      );
    }
  }
}

const MAX_CACHED_STATEMENTS = 500;

/**
 * Kysely prepares every query anew; on SQLite that is most of a small query's cost. Statements
 * are reused by their SQL text (the cache starts over when full: IN-lists of many lengths).
 */
function withStatementCache(sqlite: SQLite.Database) {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (!statement) {
        if (statements.size >= MAX_CACHED_STATEMENTS) statements.clear();
        statement = sqlite.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}
