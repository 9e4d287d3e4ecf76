import { z } from "zod";
import { UploadId } from "./attachments.js";
import { Member, Room } from "./entities.js";

/** The version of the room export format; bumped when a field changes meaning or goes away. */
export const ROOM_EXPORT_FORMAT = "parley.room-export/1";

/**
 * A file of an exported message, as stored: the bytes are not in the export; `id` names them
 * (`GET /api/files/:id` on the server, or the key in its file store).
 */
export const ExportedAttachment = z.object({
  id: UploadId,
  name: z.string().min(1),
  /** The type read from the bytes when it was uploaded. */
  type: z.string().min(1),
  size: z.number().int().nonnegative(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
});
export type ExportedAttachment = z.infer<typeof ExportedAttachment>;

/**
 * One message of an exported room; its author is a key of the export's `users`. `editedAt` is set
 * on a message edited since it was sent (its body is the last version); `deletedAt` on one deleted
 * (its body is then empty and its files are gone); `attachments` on one with files, in their order.
 */
export const ExportedMessage = z.object({
  seq: z.number().int().positive(),
  authorId: z.string(),
  clientId: z.string(),
  body: z.string(),
  createdAt: z.number().int(),
  editedAt: z.number().int().optional(),
  deletedAt: z.number().int().optional(),
  attachments: z.array(ExportedAttachment).min(1).optional(),
});
export type ExportedMessage = z.infer<typeof ExportedMessage>;

/** Who belongs to the room, and how far they have read. */
export const ExportedMembership = z.object({
  userId: z.string(),
  lastReadSeq: z.number().int().nonnegative(),
  joinedAt: z.number().int(),
});
export type ExportedMembership = z.infer<typeof ExportedMembership>;

/**
 * `parley export-room <slug> <file.json>`: one room with all its messages in sequence order, every
 * author and member once in `users`, and the memberships with their read positions.
 */
export const RoomExport = z
  .object({
    format: z.literal(ROOM_EXPORT_FORMAT),
    exportedAt: z.number().int(),
    room: Room.extend({ lastSeq: z.number().int().nonnegative() }),
    users: z.record(z.string(), Member),
    messages: z.array(ExportedMessage),
    memberships: z.array(ExportedMembership),
  })
  .superRefine((value, context) => {
    value.messages.forEach((message, index) => {
      const previous = value.messages[index - 1];
      if (previous && message.seq <= previous.seq) {
        context.addIssue({ code: "custom", path: ["messages", index, "seq"], message: "seqs must increase" });
      }
      if (!(message.authorId in value.users)) {
        context.addIssue({
          code: "custom",
          path: ["messages", index, "authorId"],
          message: "unknown author",
        });
      }
    });
    value.memberships.forEach((membership, index) => {
      if (!(membership.userId in value.users)) {
        context.addIssue({
          code: "custom",
          path: ["memberships", index, "userId"],
          message: "unknown member",
        });
      }
    });
  });
export type RoomExport = z.infer<typeof RoomExport>;
