import { z } from "zod";
import { Attachment, MAX_ATTACHMENTS_PER_MESSAGE } from "./attachments.js";
import { MAX_ROOM_NAME_LENGTH } from "./limits.js";

/** A person as other people see them: in the member list and on their messages. */
export const Member = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
});
export type Member = z.infer<typeof Member>;

export const Room = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string().max(MAX_ROOM_NAME_LENGTH),
  createdAt: z.number().int(),
});
export type Room = z.infer<typeof Room>;

/** A stored message. `seq` is its gap-free position in its room, the resume cursor. */
export const Message = z.object({
  roomId: z.string(),
  seq: z.number().int().positive(),
  clientId: z.string(),
  author: Member,
  body: z.string(),
  createdAt: z.number().int(),
  /** Files sent with the message; absent when there are none. */
  attachments: z.array(Attachment).max(MAX_ATTACHMENTS_PER_MESSAGE).optional(),
});
export type Message = z.infer<typeof Message>;
