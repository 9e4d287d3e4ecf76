import type { Message } from "@parley/protocol";

/**
 * Most bytes of messages one `joined` frame or one history page carries. Counted on the encoded
 * messages (author names and all), not on item counts: a thousand messages of a person with a
 * 200,000-character name once made a 191 MB resume frame. Well under a socket's send cap.
 */
export const MAX_MESSAGE_BYTES_PER_FRAME = 256 * 1024;

/**
 * Most bytes of messages one REST history page carries. Looser than a frame's: a page is not
 * queued on a socket, and clients that page forward with `before` expect full pages of ordinary
 * messages (200 of 4,000 characters fit); it only stops pathological ones (huge author names).
 */
export const MAX_MESSAGE_BYTES_PER_PAGE = 4 * 1024 * 1024;

/** The size of a message as it goes on the wire inside a frame. */
export function messageBytes(message: Message): number {
  return Buffer.byteLength(JSON.stringify(message), "utf8");
}

/**
 * The newest messages of `messages` (oldest first) whose encoded size fits in `maxBytes`, always
 * at least the newest one so paging can move on; `trimmed` says older ones were left out.
 */
export function newestWithin(
  messages: Message[],
  maxBytes = MAX_MESSAGE_BYTES_PER_FRAME,
): { messages: Message[]; trimmed: boolean } {
  let bytes = 0;
  let first = messages.length;
  while (first > 0) {
    const size = messageBytes(messages[first - 1] as Message);
    if (first < messages.length && bytes + size > maxBytes) break;
    bytes += size;
    first--;
  }
  return { messages: first === 0 ? messages : messages.slice(first), trimmed: first > 0 };
}
