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
    /** Ids and other short keys: MySQL cannot index unbounded TEXT. */
    id: (mysql ? "varchar(64)" : "text") as DataType,
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
