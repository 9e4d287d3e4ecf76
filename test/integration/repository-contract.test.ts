import type { Kysely } from "kysely";
import type { UserRecord } from "../../src/chat/member.js";
import { openDatabase } from "../../src/storage/database.js";
import { MembershipRepository } from "../../src/storage/membership-repository.js";
import { MessageChangeRepository } from "../../src/storage/message-change-repository.js";
import { MessageRepository } from "../../src/storage/message-repository.js";
import { migrateToLatest } from "../../src/storage/migrate.js";
import { RoomRepository } from "../../src/storage/room-repository.js";
import type { Database } from "../../src/storage/schema.js";
import { repositoryContract } from "../contracts/repository.contract.js";
import { type TestDatabase, testDatabases } from "../support/databases.js";

/** better-auth's user row, in the column types each database gets from the migrations. */
async function saveUser(db: Kysely<Database>, sqlite: boolean, user: UserRecord): Promise<void> {
  const now = new Date().toISOString().slice(0, 19).replace("T", " ");
  const profile = { name: user.name, image: user.image ?? null, updatedAt: now };
  const updated = await db.updateTable("user").set(profile).where("id", "=", user.id).executeTakeFirst();
  if (Number(updated.numUpdatedRows) > 0) return;
  await db
    .insertInto("user")
    .values({
      id: user.id,
      email: `${encodeURIComponent(user.id)}@example.com`,
      emailVerified: sqlite ? 0 : false,
      isAnonymous: sqlite ? 0 : false,
      createdAt: now,
      ...profile,
    })
    .execute();
}

async function openRepositories(database: TestDatabase) {
  const { url, drop } = await database.create();
  const handle = openDatabase(url);
  await migrateToLatest(handle.db as Kysely<unknown>, handle.kind);
  return {
    messages: new MessageRepository(handle.db),
    rooms: new RoomRepository(handle.db),
    memberships: new MembershipRepository(handle.db),
    changes: new MessageChangeRepository(handle.db),
    saveUser: (user: UserRecord) => saveUser(handle.db, handle.kind === "sqlite", user),
    async close() {
      await handle.close();
      await drop();
    },
  };
}

for (const database of testDatabases()) {
  repositoryContract(database.name, () => openRepositories(database));
}
