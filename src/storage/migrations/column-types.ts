import { type ColumnDataType, type Expression, sql } from "kysely";
import type { DatabaseKind } from "../database.js";

type DataType = ColumnDataType | Expression<unknown>;

/**
 * Column types that mean the same on all three databases. They follow better-auth's own
 * mapping (booleans as integers and dates as text on SQLite) so its adapter reads them back.
 */
export function columnTypes(kind: DatabaseKind) {
  const mysql = kind === "mysql";
  return {
    /**
     * Ids and other short keys as 001 and 002 made them (MySQL cannot index unbounded TEXT).
     * On MySQL/MariaDB they took the database's collation; 003 makes them binary. New id
     * columns use `exactId`.
     */
    id: (mysql ? "varchar(64)" : "text") as DataType,
    /** Ids compared exactly: MySQL's default collations ignore case (SQLite and PostgreSQL compare exactly). */
    exactId: (mysql ? sql`varchar(64) character set utf8mb4 collate utf8mb4_bin` : "text") as DataType,
    /**
     * Longer keys compared and ordered exactly, by code point on all three (name keys): binary on
     * MySQL, the "C" collation on PostgreSQL (not the database's locale), SQLite's default.
     */
    exactKey: (mysql
      ? sql`varchar(255) character set utf8mb4 collate utf8mb4_bin`
      : kind === "postgres"
        ? sql`text collate "C"`
        : "text") as DataType,
    /** Short words compared exactly (a room's kind): binary on MySQL, so `Open` is never `open`. */
    exactKeyShort: (mysql ? sql`varchar(16) character set utf8mb4 collate utf8mb4_bin` : "text") as DataType,
    shortText: (mysql ? "varchar(255)" : "text") as DataType,
    text: "text" as DataType,
    /** Message bodies up to 4,000 characters of any script. */
    longText: (mysql ? sql`mediumtext` : "text") as DataType,
    boolean: (kind === "sqlite" ? "integer" : "boolean") as DataType,
    date: (kind === "sqlite" ? "date" : kind === "postgres" ? "timestamptz" : sql`timestamp(3)`) as DataType,
    epochMillis: "bigint" as DataType,
    integer: "integer" as DataType,
  };
}
