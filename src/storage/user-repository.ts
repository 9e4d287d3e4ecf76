import type { Member } from "@parley/protocol";
import { type ExpressionBuilder, type Kysely, sql } from "kysely";
import { toMember } from "../chat/member.js";
import type { PersonPosition, UserDirectory } from "../chat/ports.js";
import type { Database } from "./schema.js";

/** The LIKE escape character: `!` means the same on all three databases (a backslash does not on MySQL). */
const LIKE_ESCAPE = "!";

/** A LIKE pattern matching `text` anywhere, its own %, _ and ! taken literally. */
export function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[!%_]/g, (c) => `${LIKE_ESCAPE}${c}`)}%`;
}

/** Rows after `after` in (name, id) order: the keyset condition of a page of people. */
// biome-ignore lint/suspicious/noExplicitAny: the builder serves queries over different joins
export function afterPerson<EB extends ExpressionBuilder<any, any>>(
  eb: EB,
  after: PersonPosition,
  nameColumn: string,
  idColumn: string,
) {
  return eb.or([
    eb(eb.ref(nameColumn), ">", after.name),
    eb.and([eb(eb.ref(nameColumn), "=", after.name), eb(eb.ref(idColumn), ">", after.id)]),
  ]);
}

export class UserRepository implements UserDirectory {
  constructor(private readonly db: Kysely<Database>) {}

  async displayName(userId: string): Promise<string | undefined> {
    const row = await this.db.selectFrom("user").select("name").where("id", "=", userId).executeTakeFirst();
    return row?.name;
  }

  async profiles(userIds: readonly string[]): Promise<Member[]> {
    if (userIds.length === 0) return [];
    const rows = await this.db
      .selectFrom("user")
      .select(["id", "name", "image"])
      .where("id", "in", [...userIds])
      .execute();
    return rows.map(toMember);
  }

  async page(
    filter: string | undefined,
    after: PersonPosition | undefined,
    limit: number,
  ): Promise<Member[]> {
    let query = this.db.selectFrom("user").select(["id", "name", "image"]);
    if (filter) {
      query = query.where(
        (eb) => sql`lower(${eb.ref("name")}) like ${containsPattern(filter)} escape ${LIKE_ESCAPE}`,
      );
    }
    if (after) query = query.where((eb) => afterPerson(eb, after, "name", "id"));
    const rows = await query.orderBy("name").orderBy("id").limit(limit).execute();
    return rows.map(toMember);
  }
}
