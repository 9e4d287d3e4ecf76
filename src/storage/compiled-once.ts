import type { CompiledQuery, Kysely, Transaction } from "kysely";
import type { Database } from "./schema.js";

const texts = new WeakMap<object, Map<string, string>>();

/** A query built with placeholder values, and those values in the order it must bind them. */
export interface SampleQuery {
  query: CompiledQuery;
  parameters: readonly unknown[];
}

/**
 * The SQL text of a query whose shape does not change, compiled by Kysely once per dialect and
 * then run with new parameters: on the send's path, building and compiling a query anew cost
 * more than SQLite took to run it. `build` runs only the first time (per dialect and key); the
 * compiled parameters must be exactly its sample's, in that order, so a query whose values Kysely
 * binds in another order fails at once instead of writing values into the wrong columns.
 */
export function compiledOnce(
  db: Kysely<Database> | Transaction<Database>,
  key: string,
  build: () => SampleQuery,
): string {
  const adapter = db.getExecutor().adapter;
  let known = texts.get(adapter);
  if (!known) {
    known = new Map();
    texts.set(adapter, known);
  }
  let text = known.get(key);
  if (text === undefined) {
    const { query, parameters } = build();
    const same =
      query.parameters.length === parameters.length &&
      query.parameters.every((value, i) => value === parameters[i]);
    if (!same) throw new Error(`compiledOnce(${key}): the query binds its parameters in another order`);
    text = query.sql;
    known.set(key, text);
  }
  return text;
}
