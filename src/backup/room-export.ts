import { type ExportedAttachment, ROOM_EXPORT_FORMAT, RoomExport } from "@parley/protocol";
import type { Kysely } from "kysely";
import { toMember } from "../chat/member.js";
import type { Database } from "../storage/schema.js";
import { toStoredUpload } from "../storage/upload-rows.js";

/** Messages are read in pages, so a room of any size is exported in bounded memory per query. */
const PAGE_SIZE = 5000;

/** One room as the documented `RoomExport` JSON; undefined when no room has that slug. */
export async function exportRoom(
  db: Kysely<Database>,
  slug: string,
  now = Date.now(),
): Promise<RoomExport | undefined> {
  const room = await db.selectFrom("rooms").selectAll().where("slug", "=", slug).executeTakeFirst();
  if (!room) return undefined;
  const messages: RoomExport["messages"] = [];
  for (let after = 0; ; ) {
    const page = await db
      .selectFrom("messages")
      .select(["seq", "author_id", "client_id", "body", "created_at", "edited_at", "deleted_at"])
      .where("room_id", "=", room.id)
      .where("seq", ">", after)
      .orderBy("seq")
      .limit(PAGE_SIZE)
      .execute();
    const last = page.at(-1);
    const files = last
      ? await attachmentsOf(db, room.id, after, Number(last.seq))
      : new Map<number, ExportedAttachment[]>();
    for (const row of page) {
      const seq = Number(row.seq);
      const attachments = files.get(seq);
      messages.push({
        seq,
        authorId: row.author_id,
        clientId: row.client_id,
        body: row.body,
        createdAt: Number(row.created_at),
        ...(row.edited_at !== null && { editedAt: Number(row.edited_at) }),
        ...(row.deleted_at !== null && { deletedAt: Number(row.deleted_at) }),
        ...(attachments && { attachments }),
      });
    }
    if (!last || page.length < PAGE_SIZE) break;
    after = Number(last.seq);
  }
  const memberships = (
    await db
      .selectFrom("memberships")
      .select(["user_id", "last_read_seq", "joined_at"])
      .where("room_id", "=", room.id)
      .orderBy("joined_at")
      .orderBy("user_id")
      .execute()
  ).map((row) => ({
    userId: row.user_id,
    lastReadSeq: Number(row.last_read_seq),
    joinedAt: Number(row.joined_at),
  }));
  const userIds = [...new Set([...messages.map((m) => m.authorId), ...memberships.map((m) => m.userId)])];
  const users: RoomExport["users"] = {};
  for (let i = 0; i < userIds.length; i += 500) {
    const rows = await db
      .selectFrom("user")
      .select(["id", "name", "image"])
      .where("id", "in", userIds.slice(i, i + 500))
      .execute();
    for (const row of rows) users[row.id] = toMember(row);
  }
  // Parsed on the way out: the file always matches the documented format.
  return RoomExport.parse({
    format: ROOM_EXPORT_FORMAT,
    exportedAt: now,
    room: {
      id: room.id,
      slug: room.slug,
      name: room.name,
      createdAt: Number(room.created_at),
      kind: room.kind,
      createdBy: room.created_by ?? null,
      lastSeq: Number(room.last_seq),
    },
    users,
    messages,
    memberships,
  });
}

/** The files of the messages after `afterSeq` up to `lastSeq`, by message, in their order. */
async function attachmentsOf(
  db: Kysely<Database>,
  roomId: string,
  afterSeq: number,
  lastSeq: number,
): Promise<Map<number, ExportedAttachment[]>> {
  const rows = await db
    .selectFrom("uploads")
    .selectAll()
    .where("room_id", "=", roomId)
    .where("message_seq", ">", afterSeq)
    .where("message_seq", "<=", lastSeq)
    .orderBy("message_seq")
    .orderBy("position")
    .execute();
  const bySeq = new Map<number, ExportedAttachment[]>();
  for (const row of rows) {
    const upload = toStoredUpload(row);
    const list = bySeq.get(upload.messageSeq ?? 0) ?? [];
    list.push({
      id: upload.id,
      name: upload.name,
      type: upload.type,
      size: upload.size,
      ...(upload.width !== undefined && { width: upload.width }),
      ...(upload.height !== undefined && { height: upload.height }),
    });
    bySeq.set(upload.messageSeq ?? 0, list);
  }
  return bySeq;
}
