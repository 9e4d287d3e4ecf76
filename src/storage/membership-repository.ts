import type { Kysely } from "kysely";
import type { MembershipStore, RoomStanding } from "../chat/ports.js";
import type { Database } from "./schema.js";
import { isUniqueViolation } from "./unique-violation.js";

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
    const existing = await this.position(userId, roomId);
    if (existing !== undefined) return existing;
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
      return start;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return (await this.position(userId, roomId)) ?? start;
    }
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

  private async position(userId: string, roomId: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom("memberships")
      .select("last_read_seq")
      .where("user_id", "=", userId)
      .where("room_id", "=", roomId)
      .executeTakeFirst();
    return row === undefined ? undefined : Number(row.last_read_seq);
  }
}
