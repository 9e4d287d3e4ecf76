import type { Message } from "@parley/protocol";

/**
 * Most bytes of messages one `joined` frame or one history page carries. Counted on the encoded
 * page (each author once in `users`, each message naming its author by id), not on item counts:
 * a thousand messages of a person with a 200,000-character name once made a 191 MB resume frame.
 * Well under a socket's send cap.
 */
export const MAX_MESSAGE_BYTES_PER_FRAME = 256 * 1024;

/**
 * Most bytes of messages one REST history page carries. Looser than a frame's: a page is not
 * queued on a socket, and clients that page forward with `before` expect full pages of ordinary
 * messages (200 of 4,000 characters fit); it only stops pathological ones (huge author names).
 */
export const MAX_MESSAGE_BYTES_PER_PAGE = 4 * 1024 * 1024;

function encodedBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), "utf8");
}

/**
 * The bytes of a page of messages as it goes on the wire: each message without its author (which
 * it names by id) and each author once, the first time one of theirs is counted.
 */
export class PageBytes {
  private readonly authors = new Set<string>();
  private bytes = 0;

  get total(): number {
    return this.bytes;
  }

  /** What `message` would add to the page. */
  cost(message: Message): number {
    const { author, ...rest } = message;
    const own = encodedBytes({ ...rest, authorId: author.id });
    return this.authors.has(author.id) ? own : own + encodedBytes(author);
  }

  /** Counts `message` in; returns what it added. */
  add(message: Message): number {
    const size = this.cost(message);
    this.authors.add(message.author.id);
    this.bytes += size;
    return size;
  }
}

/**
 * The newest messages of `messages` (oldest first) whose encoded page fits in `maxBytes`, always
 * at least the newest one so paging can move on; `trimmed` says older ones were left out.
 */
export function newestWithin(
  messages: Message[],
  maxBytes = MAX_MESSAGE_BYTES_PER_FRAME,
): { messages: Message[]; trimmed: boolean } {
  const page = new PageBytes();
  let first = messages.length;
  while (first > 0) {
    const message = messages[first - 1] as Message;
    if (first < messages.length && page.total + page.cost(message) > maxBytes) break;
    page.add(message);
    first--;
  }
  return { messages: first === 0 ? messages : messages.slice(first), trimmed: first > 0 };
}
