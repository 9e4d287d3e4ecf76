import { closeSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { build } from "hdr-histogram-js";
import type { HistorySeed } from "./history-seed.js";

/** Untimed runs first, so statement set-up, JIT and the first page-cache misses do not count. */
const WARM_UP_QUERIES = 200;

export interface KeysetQueryTiming {
  /** The SQL Parley's MessageRepository.before() sends (a copy: see KEYSET_PAGE_SQL). */
  sql: string;
  /** SQLite's plan for it (EXPLAIN QUERY PLAN), to show which index serves the page. */
  plan: string[];
  iterations: number;
  p50Us: number;
  p95Us: number;
  p99Us: number;
  maxUs: number;
  /** Runs that did not return min(limit, before − 1) rows: would mean a broken query or seed. */
  wrongRowCounts: number;
}

/**
 * Reads the seeded file once from end to end, so the operating system's page cache holds it
 * (a few seconds even at 10M messages). Without this the first measurement after seeding or a
 * reboot times random disk reads, not the query: on the benchmark VM a freshly seeded
 * 10M-message file was mostly not cached, and the bare query's p50 was four times slower.
 * Returns the bytes read.
 */
export function warmPageCache(seed: HistorySeed): number {
  const fd = openSync(join(seed.dataDir, "parley.sqlite"), "r");
  const buffer = Buffer.allocUnsafe(8 * 1024 * 1024);
  let total = 0;
  try {
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) return total;
      total += read;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The keyset page statement Parley's history route runs (`MessageRepository.before()` in
 * src/storage), written out here because the bench talks to Parley only through its protocol and
 * public HTTP, never its internals. If that query changes, change this copy: the report prints
 * the SQL and SQLite's plan beside the figures, so a drift shows.
 */
export const KEYSET_PAGE_SQL =
  'select "m"."room_id", "m"."seq", "m"."client_id", "m"."body", "m"."created_at", ' +
  '"u"."id" as "author_id", "u"."name" as "author_name", "u"."image" as "author_image" ' +
  'from "messages" as "m" inner join "user" as "u" on "u"."id" = "m"."author_id" ' +
  'where "m"."room_id" = ? and "m"."seq" < ? order by "m"."seq" desc limit ?';

/**
 * The bare keyset page query, without HTTP, session check or JSON, prepared once on the seeded
 * SQLite file and run `iterations` times at random cursors, timed in-process. `limit` is what
 * Parley asks the database for: the page size plus one, to learn whether older messages exist.
 */
export function timeKeysetQuery(seed: HistorySeed, pageSize: number, iterations: number): KeysetQueryTiming {
  const limit = pageSize + 1;
  const parameters: (string | number)[] = [seed.roomId, seed.messages, limit];
  const cursorAt = 1;
  const compiled = { sql: KEYSET_PAGE_SQL };

  const db = new Database(join(seed.dataDir, "parley.sqlite"), { readonly: true, fileMustExist: true });
  const histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000_000,
    numberOfSignificantValueDigits: 3,
  });
  try {
    const statement = db.prepare(compiled.sql);
    const plan = db
      .prepare(`EXPLAIN QUERY PLAN ${compiled.sql}`)
      .all(...parameters)
      .map((row) => String((row as { detail: unknown }).detail));
    let wrongRowCounts = 0;
    const run = (timed: boolean) => {
      const before = pageSize + 1 + Math.floor(Math.random() * (seed.messages - pageSize));
      parameters[cursorAt] = before;
      const started = process.hrtime.bigint();
      const rows = statement.all(...parameters);
      const elapsed = process.hrtime.bigint() - started;
      if (rows.length !== Math.min(limit, before - 1)) wrongRowCounts++;
      if (timed) histogram.recordValue(Math.max(1, Number(elapsed)));
    };
    for (let i = 0; i < WARM_UP_QUERIES; i++) run(false);
    wrongRowCounts = 0;
    for (let i = 0; i < iterations; i++) run(true);
    const us = (ns: number) => Math.round(ns / 10) / 100;
    return {
      sql: compiled.sql,
      plan,
      iterations,
      p50Us: us(histogram.getValueAtPercentile(50)),
      p95Us: us(histogram.getValueAtPercentile(95)),
      p99Us: us(histogram.getValueAtPercentile(99)),
      maxUs: us(histogram.maxValue),
      wrongRowCounts,
    };
  } finally {
    histogram.destroy();
    db.close();
  }
}
