import type { DatabaseConnection, Dialect, DialectAdapter, Driver } from "kysely";
import type { DependencyHealth } from "../health/dependency-health.js";
import { ConnectionQueue } from "./connection-queue.js";
import { isDatabaseUnavailable } from "./unavailable-errors.js";

/** Told how long each query (BEGIN/COMMIT included) took, in seconds, whether it succeeded or not. */
export type QueryTimer = (seconds: number) => void;

/**
 * Wraps a Kysely dialect so every way of reaching the database (taking a connection, a query,
 * BEGIN/COMMIT/ROLLBACK) reports to the database's health, and a failure that means "the
 * database is away" reaches callers as a DependencyUnavailableError. Timeouts themselves are
 * the drivers' (see database.ts); this only names what they throw.
 */
export function guardDialect(
  dialect: Dialect,
  health: DependencyHealth,
  queryTimed: QueryTimer = () => undefined,
): Dialect {
  // One connection (SQLite): queries take turns in a ConnectionQueue instead of Kysely's mutex.
  const single = dialect.createAdapter().supportsMultipleConnections === false;
  return {
    createAdapter: () => (single ? takingTurnsHere(dialect.createAdapter()) : dialect.createAdapter()),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createDriver: () =>
      guardDriver(dialect.createDriver(), health, queryTimed, single ? new ConnectionQueue() : undefined),
  };
}

/** The adapter, telling Kysely not to serialise connections itself: the guarded driver does. */
function takingTurnsHere(adapter: DialectAdapter): DialectAdapter {
  return new Proxy(adapter, {
    get(target, property) {
      if (property === "supportsMultipleConnections") return true;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function guardDriver(
  driver: Driver,
  health: DependencyHealth,
  queryTimed: QueryTimer,
  turns: ConnectionQueue | undefined,
): Driver {
  async function timed<T>(operation: Promise<T>, started: number): Promise<T> {
    try {
      return await operation;
    } finally {
      queryTimed((performance.now() - started) / 1000);
    }
  }
  async function guarded<T>(operation: Promise<T>): Promise<T> {
    try {
      const result = await operation;
      health.succeeded();
      return result;
    } catch (error) {
      if (!isDatabaseUnavailable(error)) {
        // The database answered (with a refusal of this query): it is there.
        health.succeeded();
        throw error;
      }
      throw health.failed(error);
    }
  }
  const connections = new WeakMap<DatabaseConnection, DatabaseConnection>();
  // The same guarded object for the same connection, whose own methods see the real one as `this`.
  const guard = (connection: DatabaseConnection): DatabaseConnection => {
    let wrapped = connections.get(connection);
    if (!wrapped) {
      wrapped = new Proxy(connection, {
        get(target, property) {
          if (property === "executeQuery") {
            return (...args: Parameters<DatabaseConnection["executeQuery"]>) =>
              guarded(timed(target.executeQuery(...args), performance.now()));
          }
          const value: unknown = Reflect.get(target, property, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
      connections.set(connection, wrapped);
    }
    return wrapped;
  };
  return {
    init: (options) => guarded(driver.init(options)),
    acquireConnection: async (options) => {
      await turns?.take();
      try {
        return guard(await guarded(driver.acquireConnection(options)));
      } catch (error) {
        turns?.release();
        throw error;
      }
    },
    // The drivers run BEGIN, COMMIT and ROLLBACK through the (guarded) connection's executeQuery.
    beginTransaction: (connection, settings) => driver.beginTransaction(connection, settings),
    commitTransaction: (connection) => driver.commitTransaction(connection),
    rollbackTransaction: (connection) => driver.rollbackTransaction(connection),
    ...(driver.savepoint && {
      savepoint: driver.savepoint.bind(driver),
    }),
    ...(driver.rollbackToSavepoint && {
      rollbackToSavepoint: driver.rollbackToSavepoint.bind(driver),
    }),
    ...(driver.releaseSavepoint && {
      releaseSavepoint: driver.releaseSavepoint.bind(driver),
    }),
    releaseConnection: async (connection, options) => {
      try {
        await driver.releaseConnection(connection, options);
      } finally {
        turns?.release();
      }
    },
    destroy: (options) => driver.destroy(options),
  };
}
