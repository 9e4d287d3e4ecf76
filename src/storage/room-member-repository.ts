import type { Member } from "@parley/protocol";
import type { Kysely } from "kysely";
import { toMember } from "../chat/member.js";
import type { RoomMemberList } from "../chat/ports.js";
import type { Database } from "./schema.js";

/** Most members listed for one room (autocomplete and mention matching); larger rooms list the first. */
export const MAX_LISTED_MEMBERS = 5000;

/**
 * A room's members from the memberships table (anyone who ever joined it). The rooms-access slice's
 * member list replaces this adapter behind the same port.
 */
export class RoomMemberRepository implements RoomMemberList {
  constructor(private readonly db: Kysely<Database>) {}

  async members(roomId: string): Promise<Member[]> {
    const rows = await this.db
      .selectFrom("memberships as m")
      .innerJoin("user as u", "u.id", "m.user_id")
      .select(["u.id", "u.name", "u.image"])
      .where("m.room_id", "=", roomId)
      .orderBy("u.name")
      .orderBy("u.id")
      .limit(MAX_LISTED_MEMBERS)
      .execute();
    return rows.map(toMember);
  }

  async count(roomId: string): Promise<number> {
    const row = await this.db
      .selectFrom("memberships")
      .select((eb) => eb.fn.countAll<number | string | bigint>().as("count"))
      .where("room_id", "=", roomId)
      .executeTakeFirst();
    return Number(row?.count ?? 0);
  }
}
