import type { Message } from "@parley/protocol";
import type { Reader } from "./message-rows.js";
import { withReactions } from "./message-rows.js";
import { withAttachments } from "./upload-rows.js";

/**
 * Messages as clients see them: their reactions and their files filled in. Every read of stored
 * messages goes through it (history, resume, changes), so a change frame never drops the files a
 * message carries.
 */
export async function withMessageDetails(reader: Reader, messages: Message[]): Promise<Message[]> {
  return withAttachments(reader, await withReactions(reader, messages));
}
