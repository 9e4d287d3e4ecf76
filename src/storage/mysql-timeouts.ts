import type { MysqlPool, MysqlPoolConnection } from "kysely";
import type { Pool, PoolConnection, QueryError } from "mysql2";

interface Timeouts {
  connectMs: number;
  queryMs: number;
}

const patched = new WeakSet<PoolConnection>();

/**
 * mysql2 bounds connecting (connectTimeout) but neither the wait for a free pooled connection
 * nor a statement, and Kysely's dialect passes no options per query. This pool gives up waiting
 * for a connection after `connectMs` (one that turns up later goes straight back), and runs
 * every statement with mysql2's `timeout`; a connection whose statement timed out is destroyed,
 * so nothing queued behind it runs late once the server answers again.
 */
export function withQueryTimeouts(pool: Pool, timeouts: Timeouts): MysqlPool {
  return {
    getConnection(callback) {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        callback(acquireTimeout(timeouts.connectMs), undefined as unknown as MysqlPoolConnection);
      }, timeouts.connectMs);
      pool.getConnection((error, connection) => {
        if (settled) {
          connection?.release();
          return;
        }
        settled = true;
        clearTimeout(timer);
        if (connection) patch(connection, timeouts.queryMs);
        callback(error, connection as unknown as MysqlPoolConnection);
      });
    },
    end: (callback) => pool.end(callback),
  };
}

function patch(connection: PoolConnection, queryMs: number): void {
  if (patched.has(connection)) return;
  patched.add(connection);
  const query = connection.query.bind(connection) as (...args: unknown[]) => unknown;
  (connection as { query: unknown }).query = (sql: unknown, values: unknown, callback?: unknown) => {
    if (typeof sql !== "string" || typeof callback !== "function") return query(sql, values, callback);
    return query({ sql, values, timeout: queryMs }, (error: QueryError | null, result: unknown) => {
      if (error?.code === "PROTOCOL_SEQUENCE_TIMEOUT") connection.destroy();
      callback(error, result);
    });
  };
}

function acquireTimeout(ms: number): Error {
  return Object.assign(new Error(`no database connection became free within ${ms} ms`), {
    code: "POOL_ACQUIRE_TIMEOUT",
  });
}
