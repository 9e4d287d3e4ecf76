import type { Kysely } from "kysely";
import type { UserDirectory } from "../chat/ports.js";
import type { Database } from "./schema.js";

export class UserRepository implements UserDirectory {
  constructor(private readonly db: Kysely<Database>) {}

  async displayName(userId: string): Promise<string | undefined> {
    const row = await this.db.selectFrom("user").select("name").where("id", "=", userId).executeTakeFirst();
    return row?.name;
  }
}
