import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import SQLite from "better-sqlite3";
import { type Dialect, Kysely, MysqlDialect, PostgresDialect, SqliteDialect } from "kysely";
import { createPool as createMysqlPool } from "mysql2";
import pg from "pg";
import { DependencyHealth, silentOutages } from "../health/dependency-health.js";
import { guardDialect, type QueryTimer } from "./guarded-dialect.js";
import { withQueryTimeouts } from "./mysql-timeouts.js";
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
  /** Bounds on waiting for the database; a frozen server must not hang requests. */
  timeouts?: DatabaseTimeouts;
  /** Told about every call that failed because the database is away, and when it answers again. */
  health?: DependencyHealth;
  /** Told how long each query took (seconds), e.g. for a latency histogram. */
  queryTimed?: QueryTimer;
}

export interface DatabaseTimeouts {
  /** Opening a connection, or waiting for a free one from the pool. */
  connectMs: number;
  /** One statement (SQLite: how long a write waits for another process's lock). */
  queryMs: number;
}

export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = { connectMs: 2000, queryMs: 2000 };

// BIGINT columns (epoch milliseconds) come back from pg as strings unless told otherwise.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export function databaseKind(url: string): DatabaseKind {
  if (/^mysql:\/\//i.test(url) || /^mariadb:\/\//i.test(url)) return "mysql";
  if (/^postgres(ql)?:\/\//i.test(url)) return "postgres";
  return "sqlite";
}

/** The file of a SQLite DATABASE_URL (a plain path, or sqlite:path / sqlite://path). */
export function sqlitePath(url: string): string {
  return url.replace(/^sqlite:(\/\/)?/i, "");
}

/** Opens the database named by DATABASE_URL: a SQLite path (default), mysql://… or postgres://…. */
export function openDatabase(url: string, options: OpenOptions = {}): DatabaseHandle {
  const kind = databaseKind(url);
  const timeouts = options.timeouts ?? DEFAULT_DATABASE_TIMEOUTS;
  const health = options.health ?? new DependencyHealth("database", silentOutages);
  const handle = (dialect: Dialect, checkpointer?: Checkpointer): DatabaseHandle => {
    const db = new Kysely<Database>({ dialect: guardDialect(dialect, health, options.queryTimed) });
    return {
      kind,
      db,
      async close() {
        await checkpointer?.stop();
        await db.destroy();
      },
    };
  };
  switch (kind) {
    case "mysql":
      return handle(
        new MysqlDialect({
          pool: withQueryTimeouts(
            createMysqlPool({
              uri: url.replace(/^mariadb:/i, "mysql:"),
              connectionLimit: 10,
              supportBigNumbers: true,
              charset: "utf8mb4",
              timezone: "Z",
              connectTimeout: timeouts.connectMs,
            }),
            timeouts,
          ),
        }),
      );
    case "postgres": {
      const pool = new pg.Pool({
        connectionString: url,
        max: 10,
        // Both opening a connection and waiting for a free one.
        connectionTimeoutMillis: timeouts.connectMs,
        // Client side: a frozen server never answers, so the server's own limit cannot fire.
        query_timeout: timeouts.queryMs,
        // Server side: a slow statement is cancelled there too, rather than left running.
        statement_timeout: timeouts.queryMs,
      });
      // An idle connection the server dropped (restart, failover) must not crash the process;
      // the pool replaces it and the next query reconnects.
      pool.on("error", () => undefined);
      // A statement that timed out may still be waiting on the connection: end it (pg destroys a
      // connection with a query in flight), so what was queued behind it never runs late.
      pool.on("connect", (client) => endOnQueryTimeout(client));
      return handle(new PostgresDialect({ pool }));
    }
    case "sqlite": {
      const path = sqlitePath(url);
      if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
      const sqlite = new SQLite(path);
      // WAL lets readers run beside the writer; NORMAL sync is durable across process crashes.
      sqlite.pragma("journal_mode = WAL");
      sqlite.pragma("synchronous = NORMAL");
      sqlite.pragma("foreign_keys = ON");
      sqlite.pragma(`busy_timeout = ${Math.round(timeouts.queryMs)}`);
      const checkpointer =
        options.backgroundCheckpoints && path !== ":memory:"
          ? startCheckpointer(path, sqlite, options.warn ?? (() => undefined))
          : undefined;
      return handle(new SqliteDialect({ database: withStatementCache(sqlite) }), checkpointer);
    }
  }
}

function endOnQueryTimeout(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = (...args: unknown[]) => {
    const result = query(...args);
    if (result instanceof Promise) {
      result.catch((error: unknown) => {
        if (error instanceof Error && error.message === "Query read timeout")
          void client.end().catch(() => undefined);
      });
    }
    return result;
  };
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
