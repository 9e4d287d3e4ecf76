import type { Kysely } from "kysely";
import type { PeopleStore, PersonRecord } from "../chat/administration-ports.js";
import type { Database } from "./schema.js";
import { isUniqueViolation } from "./unique-violation.js";

const FIRST_ADMINISTRATOR = "first_administrator";

/** Time stamps come back as Date (PostgreSQL, MariaDB) or ISO text (SQLite). */
function epochMillis(value: Date | string): number {
  return value instanceof Date ? value.getTime() : new Date(value).getTime();
}

/** People (better-auth's users) with their administrator grants and deactivation, in SQL. */
export class PeopleRepository implements PeopleStore {
  constructor(private readonly db: Kysely<Database>) {}

  private select() {
    return this.db
      .selectFrom("user as u")
      .leftJoin("administrators as a", "a.user_id", "u.id")
      .leftJoin("deactivated_people as d", "d.user_id", "u.id")
      .select([
        "u.id",
        "u.name",
        "u.email",
        "u.emailVerified",
        "u.image",
        "u.createdAt",
        "a.user_id as administrator",
        "d.user_id as deactivated",
      ]);
  }

  private static toRecord(row: {
    id: string;
    name: string;
    email: string;
    emailVerified: boolean | number;
    image: string | null;
    createdAt: Date | string;
    administrator: string | null;
    deactivated: string | null;
  }): PersonRecord {
    return {
      id: row.id,
      name: row.name,
      email: row.email,
      emailVerified: Boolean(row.emailVerified),
      image: row.image,
      createdAt: epochMillis(row.createdAt),
      administratorGrant: row.administrator !== null,
      deactivated: row.deactivated !== null,
    };
  }

  async list(): Promise<PersonRecord[]> {
    const rows = await this.select().orderBy("u.createdAt").orderBy("u.id").execute();
    return rows.map(PeopleRepository.toRecord);
  }

  async byId(id: string): Promise<PersonRecord | undefined> {
    const row = await this.select().where("u.id", "=", id).executeTakeFirst();
    return row && PeopleRepository.toRecord(row);
  }

  async find(idOrEmail: string): Promise<PersonRecord | undefined> {
    const byId = await this.byId(idOrEmail);
    if (byId) return byId;
    if (!idOrEmail.includes("@")) return undefined;
    // Emails are stored as the provider gave them; compared here without regard to case.
    const rows = await this.select()
      .where((eb) => eb(eb.fn("lower", ["u.email"]), "=", idOrEmail.toLowerCase()))
      .limit(2)
      .execute();
    return rows.length === 1 && rows[0] ? PeopleRepository.toRecord(rows[0]) : undefined;
  }

  async hasAdministratorGrant(id: string): Promise<boolean> {
    const row = await this.db
      .selectFrom("administrators")
      .select("user_id")
      .where("user_id", "=", id)
      .executeTakeFirst();
    return row !== undefined;
  }

  async grantAdministrator(id: string, at: number): Promise<void> {
    try {
      await this.db.insertInto("administrators").values({ user_id: id, granted_at: at }).execute();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }

  async revokeAdministrator(id: string): Promise<void> {
    await this.db.deleteFrom("administrators").where("user_id", "=", id).execute();
  }

  async claimFirstAdministrator(id: string, at: number): Promise<boolean> {
    // Read first: after the first sign-in every later one stops here, without a refused insert.
    const claimed = await this.db
      .selectFrom("workspace_settings")
      .select("name")
      .where("name", "=", FIRST_ADMINISTRATOR)
      .executeTakeFirst();
    if (claimed) return false;
    try {
      // The primary key lets exactly one claim in, on every node and database.
      await this.db
        .insertInto("workspace_settings")
        .values({ name: FIRST_ADMINISTRATOR, value: id })
        .execute();
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
    await this.grantAdministrator(id, at);
    return true;
  }

  async isDeactivated(id: string): Promise<boolean> {
    const row = await this.db
      .selectFrom("deactivated_people")
      .select("user_id")
      .where("user_id", "=", id)
      .executeTakeFirst();
    return row !== undefined;
  }

  async deactivate(id: string, at: number): Promise<boolean> {
    try {
      await this.db.insertInto("deactivated_people").values({ user_id: id, deactivated_at: at }).execute();
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async reactivate(id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("deactivated_people")
      .where("user_id", "=", id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async providers(id: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom("account")
      .select("providerId")
      .where("userId", "=", id)
      .orderBy("providerId")
      .execute();
    // better-auth's anonymous (dev) sign-in keeps no account row; "credential" would be a password.
    return [...new Set(rows.map((row) => row.providerId))];
  }

  async timeZone(id: string): Promise<string | null> {
    const row = await this.db
      .selectFrom("person_time_zones")
      .select("time_zone")
      .where("user_id", "=", id)
      .executeTakeFirst();
    return row?.time_zone ?? null;
  }

  async setTimeZone(id: string, timeZone: string, at: number): Promise<void> {
    const updated = await this.db
      .updateTable("person_time_zones")
      .set({ time_zone: timeZone, reported_at: at })
      .where("user_id", "=", id)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) > 0) return;
    try {
      await this.db
        .insertInto("person_time_zones")
        .values({ user_id: id, time_zone: timeZone, reported_at: at })
        .execute();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
}
