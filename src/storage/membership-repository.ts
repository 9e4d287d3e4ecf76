import type { Member, Room } from "@parley/protocol";
import type { Kysely } from "kysely";
import { toMember } from "../chat/member.js";
import type { MembershipStore, PersonPosition, RoomStanding } from "../chat/ports.js";
import { toRoom } from "./room-repository.js";
import type { Database } from "./schema.js";
import { isUniqueViolation } from "./unique-violation.js";
import { afterPerson } from "./user-repository.js";

export class MembershipRepository implements MembershipStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number = Date.now,
  ) {}

  async standings(userId: string): Promise<RoomStanding[]> {
    const rows = await this.db
      .selectFrom("memberships as m")
      .innerJoin("rooms as r", "r.id", "m.room_id")
      .select(["m.room_id", "m.last_read_seq", "r.last_seq"])
      .where("m.user_id", "=", userId)
      .execute();
    return rows.map((row) => ({
      roomId: row.room_id,
      lastSeq: Number(row.last_seq),
      lastReadSeq: Number(row.last_read_seq),
    }));
  }

  async ensure(userId: string, roomId: string): Promise<number> {
    return (await this.add(userId, roomId)).lastReadSeq;
  }

  async add(userId: string, roomId: string): Promise<{ lastReadSeq: number; added: boolean }> {
    const existing = await this.position(userId, roomId);
    if (existing !== undefined) return { lastReadSeq: existing, added: false };
    // A new member has read everything before joining: history is not "unread".
    const room = await this.db
      .selectFrom("rooms")
      .select("last_seq")
      .where("id", "=", roomId)
      .executeTakeFirst();
    const start = Number(room?.last_seq ?? 0);
    try {
      await this.db
        .insertInto("memberships")
        .values({ user_id: userId, room_id: roomId, last_read_seq: start, joined_at: this.now() })
        .execute();
      return { lastReadSeq: start, added: true };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return { lastReadSeq: (await this.position(userId, roomId)) ?? start, added: false };
    }
  }

  async remove(userId: string, roomId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("memberships")
      .where("user_id", "=", userId)
      .where("room_id", "=", roomId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async memberIds(roomId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom("memberships")
      .select("user_id")
      .where("room_id", "=", roomId)
      .execute();
    return rows.map((row) => row.user_id);
  }

  async members(roomId: string, after: PersonPosition | undefined, limit: number): Promise<Member[]> {
    let query = this.db
      .selectFrom("memberships as m")
      .innerJoin("user as u", "u.id", "m.user_id")
      .select(["u.id", "u.name", "u.image"])
      .where("m.room_id", "=", roomId);
    if (after) query = query.where((eb) => afterPerson(eb, after, "u.name", "u.id"));
    const rows = await query.orderBy("u.name").orderBy("u.id").limit(limit).execute();
    return rows.map(toMember);
  }

  async roomsOf(userId: string, limit: number): Promise<Room[]> {
    const rows = await this.db
      .selectFrom("memberships as m")
      .innerJoin("rooms as r", "r.id", "m.room_id")
      .select([
        "r.id",
        "r.slug",
        "r.name",
        "r.created_at",
        "r.kind",
        "r.created_by",
        "r.topic",
        "r.archived_at",
      ])
      .where("m.user_id", "=", userId)
      .orderBy("r.name_key")
      .orderBy("r.id")
      .limit(limit)
      .execute();
    return rows.map(toRoom);
  }

  async markRead(userId: string, roomId: string, seq: number): Promise<number> {
    const room = await this.db
      .selectFrom("rooms")
      .select("last_seq")
      .where("id", "=", roomId)
      .executeTakeFirst();
    const clamped = Math.min(seq, Number(room?.last_seq ?? 0));
    await this.db
      .updateTable("memberships")
      .set({ last_read_seq: clamped })
      .where("user_id", "=", userId)
      .where("room_id", "=", roomId)
      .where("last_read_seq", "<", clamped)
      .execute();
    return (await this.position(userId, roomId)) ?? 0;
  }

  async position(userId: string, roomId: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom("memberships")
      .select("last_read_seq")
      .where("user_id", "=", userId)
      .where("room_id", "=", roomId)
      .executeTakeFirst();
    return row === undefined ? undefined : Number(row.last_read_seq);
  }
}
