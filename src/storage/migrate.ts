import type { Kysely } from "kysely";
import { type Migration, type MigrationProvider, Migrator } from "kysely/migration";
import type { DatabaseKind } from "./database.js";
import { initialMigration } from "./migrations/001-initial.js";
import { membershipsMigration } from "./migrations/002-memberships.js";
import { exactIdsAndRoomNamesMigration } from "./migrations/003-exact-ids-and-room-names.js";
import { roomKindsAndMembersMigration } from "./migrations/004-room-kinds-and-members.js";
import { administrationMigration } from "./migrations/005-administration.js";
import { messageChangesMigration } from "./migrations/006-message-changes.js";
import { mentionsNotificationsPushMigration } from "./migrations/007-mentions-notifications-push.js";
import { searchPostingsMigration } from "./migrations/008-search-postings.js";
import { filesMigration } from "./migrations/009-files.js";
import { importLinksMigration } from "./migrations/010-import-links.js";
import { searchIndexedSeqMigration } from "./migrations/011-search-indexed-seq.js";
import { uploadDeletionsAndQuotaLocksMigration } from "./migrations/012-upload-deletions-and-quota-locks.js";

/** Migrations live in code, keyed by name in the order they apply, so they ship inside the app. */
function migrations(kind: DatabaseKind): Record<string, Migration> {
  return {
    "001-initial": initialMigration(kind),
    "002-memberships": membershipsMigration(kind),
    "003-exact-ids-and-room-names": exactIdsAndRoomNamesMigration(kind),
    "004-room-kinds-and-members": roomKindsAndMembersMigration(kind),
    "005-administration": administrationMigration(kind),
    "006-message-changes": messageChangesMigration(kind),
    "007-mentions-notifications-push": mentionsNotificationsPushMigration(kind),
    "008-search-postings": searchPostingsMigration(kind),
    "009-files": filesMigration(kind),
    "010-import-links": importLinksMigration(kind),
    "011-search-indexed-seq": searchIndexedSeqMigration(kind),
    "012-upload-deletions-and-quota-locks": uploadDeletionsAndQuotaLocksMigration(kind),
  };
}

class CodeMigrationProvider implements MigrationProvider {
  constructor(private readonly kind: DatabaseKind) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations(this.kind);
  }
}

/** Applies pending migrations up to and including `name` (tests use it to make an older install). */
export async function migrateTo(db: Kysely<unknown>, kind: DatabaseKind, name: string): Promise<void> {
  const migrator = new Migrator({ db, provider: new CodeMigrationProvider(kind) });
  const { error } = await migrator.migrateTo(name);
  if (error) throw error;
}

/** Applies every pending migration; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<unknown>, kind: DatabaseKind): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new CodeMigrationProvider(kind) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === "Error");
  if (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`migration ${failed?.migrationName ?? "(unknown)"} failed: ${reason}`, { cause: error });
  }
  return (results ?? []).map((result) => result.migrationName);
}

/** Kysely's table of applied migrations (its default name). */
export const MIGRATION_TABLE = "kysely_migration";

/** The name of every migration this version knows, in the order they apply. */
export function migrationNames(): string[] {
  return Object.keys(migrations("sqlite"));
}
