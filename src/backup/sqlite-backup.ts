import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import SQLite from "better-sqlite3";
import { MIGRATION_TABLE, migrationNames } from "../storage/migrate.js";

/** A backup or restore that cannot go ahead; its message is the one line the operator reads. */
export class BackupError extends Error {}

/**
 * An online, consistent copy of a live SQLite database (SQLite's backup API: a copy that sees
 * another connection's write restarts, so it never mixes two states), then an integrity check of
 * the copy. Returns the copy's page count.
 */
export async function backupSqlite(sourcePath: string, targetPath: string): Promise<number> {
  if (!existsSync(sourcePath))
    throw new BackupError(`no database at ${sourcePath} (check DATA_DIR/DATABASE_URL)`);
  if (existsSync(targetPath)) throw new BackupError(`${targetPath} already exists; choose a new file name`);
  const source = new SQLite(sourcePath, { readonly: true, fileMustExist: true });
  try {
    source.pragma("busy_timeout = 5000");
    // After the first step, the rest in one: a step reads one WAL snapshot (never blocking the
    // server's writes), whereas between small steps a busy server's writes would restart the copy
    // again and again.
    const { totalPages } = await source.backup(targetPath, { progress: ({ totalPages }) => totalPages });
    checkParleyDatabase(targetPath);
    return totalPages;
  } catch (error) {
    rmSync(targetPath, { force: true });
    throw error;
  } finally {
    source.close();
  }
}

/**
 * Throws unless the file is a sound SQLite database made by Parley: integrity check passes and
 * its applied migrations are ones this version knows. Returns how many migrations it has.
 */
export function checkParleyDatabase(path: string): number {
  if (!existsSync(path)) throw new BackupError(`no file at ${path}`);
  let db: SQLite.Database;
  try {
    db = new SQLite(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new BackupError(`${path} is not a SQLite database: ${reason(error)}`);
  }
  try {
    const integrity = readIntegrity(db, path);
    if (integrity !== "ok") throw new BackupError(`${path} fails its integrity check: ${integrity}`);
    const table = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?")
      .get(MIGRATION_TABLE);
    if (!table)
      throw new BackupError(`${path} is not a Parley database (it has no ${MIGRATION_TABLE} table)`);
    const applied = (
      db.prepare(`SELECT name FROM ${MIGRATION_TABLE} ORDER BY name`).all() as { name: string }[]
    ).map((row) => row.name);
    const known = migrationNames();
    const unknown = applied.filter((name) => !known.includes(name));
    if (unknown.length > 0) {
      throw new BackupError(
        `${path} comes from a newer Parley (migration ${unknown[0]} is unknown here); restore it with that version`,
      );
    }
    if (applied.length === 0)
      throw new BackupError(`${path} is not a Parley database (no migration applied)`);
    return applied.length;
  } finally {
    db.close();
  }
}

function readIntegrity(db: SQLite.Database, path: string): string {
  try {
    const rows = db.pragma("integrity_check") as { integrity_check: string }[];
    return rows.map((row) => row.integrity_check).join("; ");
  } catch (error) {
    throw new BackupError(`${path} is not a SQLite database: ${reason(error)}`);
  }
}

/**
 * Whether another process has the database open. A server (and its checkpoint thread) keeps a
 * shared lock on a WAL database for as long as it is open, so an exclusive lock is refused.
 */
export function sqliteInUse(path: string): boolean {
  if (!existsSync(path)) return false;
  const db = new SQLite(path, { fileMustExist: true });
  try {
    db.pragma("busy_timeout = 0");
    db.pragma("locking_mode = EXCLUSIVE");
    db.exec("BEGIN EXCLUSIVE");
    db.exec("COMMIT");
    return false;
  } catch (error) {
    if (error instanceof SQLite.SqliteError && /^SQLITE_BUSY|^SQLITE_LOCKED/.test(error.code)) return true;
    throw error;
  } finally {
    db.close();
  }
}

/**
 * Puts a checked backup in place of the database at `targetPath`: copied beside it first, then
 * renamed over it, so a failure midway leaves the old database whole. The old database's WAL and
 * shared-memory files go too: left behind, they would be replayed onto the restored file.
 */
export function restoreSqlite(backupPath: string, targetPath: string, options: { force: boolean }): void {
  checkParleyDatabase(backupPath);
  if (!options.force && sqliteInUse(targetPath)) {
    throw new BackupError(
      `${targetPath} is in use (is the server running?); stop the server first, or pass --force`,
    );
  }
  // A new machine's DATA_DIR may not exist yet, as on the server's first start.
  mkdirSync(dirname(targetPath), { recursive: true });
  const staging = `${targetPath}.restoring`;
  copyFileSync(backupPath, staging);
  for (const suffix of ["-wal", "-shm"]) rmSync(`${targetPath}${suffix}`, { force: true });
  renameSync(staging, targetPath);
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
