import type { CompiledQuery, Kysely, Transaction } from "kysely";
import type { Database } from "./schema.js";

const texts = new WeakMap<object, Map<string, string>>();

/**
 * The SQL text of a query whose shape does not change, compiled by Kysely once per dialect and
 * then run with new parameters: on the send's path, building and compiling a query anew cost
 * more than SQLite took to run it. `compile` builds the query with `sample` as its parameters;
 * the compiled parameters must be exactly those, in that order, so a query whose values Kysely
 * binds in another order fails at once instead of writing values into the wrong columns.
 */
export function compiledOnce(
  db: Kysely<Database> | Transaction<Database>,
  key: string,
  sample: readonly unknown[],
  compile: () => CompiledQuery,
): string {
  const adapter = db.getExecutor().adapter;
  let known = texts.get(adapter);
  if (!known) {
    known = new Map();
    texts.set(adapter, known);
  }
  let text = known.get(key);
  if (text === undefined) {
    const compiled = compile();
    const same =
      compiled.parameters.length === sample.length &&
      compiled.parameters.every((value, i) => value === sample[i]);
    if (!same) throw new Error(`compiledOnce(${key}): the query binds its parameters in another order`);
    text = compiled.sql;
    known.set(key, text);
  }
  return text;
}
