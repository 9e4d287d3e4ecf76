import { z } from "zod";
import { Member, Room } from "./entities.js";

/** The version of the room export format; bumped when a field changes meaning or goes away. */
export const ROOM_EXPORT_FORMAT = "parley.room-export/1";

/** One message of an exported room; its author is a key of the export's `users`. */
export const ExportedMessage = z.object({
  seq: z.number().int().positive(),
  authorId: z.string(),
  clientId: z.string(),
  body: z.string(),
  createdAt: z.number().int(),
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
