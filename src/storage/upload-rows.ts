import type { Message } from "@parley/protocol";
import { toAttachment } from "../files/attachment-view.js";
import type { StoredUpload } from "../files/upload-store.js";
import type { Reader } from "./message-rows.js";
import type { UploadTable } from "./schema.js";

export function toStoredUpload(row: UploadTable): StoredUpload {
  return {
    id: row.id,
    ownerId: row.owner_id,
    name: row.name,
    size: Number(row.size),
    type: row.type,
    ...(row.width !== null && { width: Number(row.width) }),
    ...(row.height !== null && { height: Number(row.height) }),
    hasThumbnail: Boolean(row.has_thumbnail),
    createdAt: Number(row.created_at),
    ...(row.room_id !== null && { roomId: row.room_id }),
    ...(row.message_seq !== null && { messageSeq: Number(row.message_seq) }),
  };
}

/**
 * The messages with their files put in (one query per room of the page). Messages without
 * files are returned as they are, so they carry no `attachments` key at all.
 */
export async function withAttachments(reader: Reader, messages: Message[]): Promise<Message[]> {
  if (messages.length === 0) return messages;
  const byRoom = new Map<string, number[]>();
  for (const message of messages) {
    const seqs = byRoom.get(message.roomId) ?? [];
    seqs.push(message.seq);
    byRoom.set(message.roomId, seqs);
  }
  const found = new Map<string, UploadTable[]>();
  for (const [roomId, seqs] of byRoom) {
    const rows = await reader
      .selectFrom("uploads")
      .selectAll()
      .where("room_id", "=", roomId)
      .where("message_seq", ">=", Math.min(...seqs))
      .where("message_seq", "<=", Math.max(...seqs))
      .orderBy("message_seq")
      .orderBy("position")
      .execute();
    for (const row of rows) {
      const key = `${roomId}\u0000${row.message_seq}`;
      const list = found.get(key) ?? [];
      list.push(row);
      found.set(key, list);
    }
  }
  if (found.size === 0) return messages;
  return messages.map((message) => {
    const rows = found.get(`${message.roomId}\u0000${message.seq}`);
    return rows ? { ...message, attachments: rows.map((row) => toAttachment(toStoredUpload(row))) } : message;
  });
}
