import type { Member } from "@parley/protocol";

const utf8 = new TextEncoder();
const OPEN = utf8.encode("[");
const COMMA = utf8.encode(",");
const CLOSE = utf8.encode("]");

/** Members whose encoding is kept; past it the cache starts over (a node rarely sees that many at once). */
const MAX_KEPT = 50_000;

interface Encoded {
  name: string;
  image: string;
  bytes: Uint8Array;
}

/**
 * The member list of `joined` as JSON bytes, each member encoded once rather than once per
 * joiner: while a room of hundreds fills after a deploy, every joiner got the whole list
 * serialised anew, a cost that grows with the square of the room's size (decision 0052). The list
 * itself is read fresh for every join, as before; only each member's bytes are reused, for as
 * long as their name and picture stay the same.
 */
export class MemberListEncoder {
  private readonly kept = new Map<string, Encoded>();

  /** The bytes of `JSON.stringify(members)`. */
  encode(members: readonly Member[]): Uint8Array {
    const parts: Uint8Array[] = [];
    let length = OPEN.length + CLOSE.length + Math.max(0, members.length - 1) * COMMA.length;
    for (const member of members) {
      const bytes = this.bytesOf(member);
      parts.push(bytes);
      length += bytes.length;
    }
    const list = new Uint8Array(length);
    list.set(OPEN, 0);
    let at = OPEN.length;
    for (const [index, bytes] of parts.entries()) {
      if (index > 0) {
        list.set(COMMA, at);
        at += COMMA.length;
      }
      list.set(bytes, at);
      at += bytes.length;
    }
    list.set(CLOSE, at);
    return list;
  }

  private bytesOf(member: Member): Uint8Array {
    const kept = this.kept.get(member.id);
    if (kept && kept.name === member.name && kept.image === member.image) return kept.bytes;
    if (this.kept.size >= MAX_KEPT) this.kept.clear();
    // Only the three fields of a Member, in their order: whatever else an object carries stays out.
    const bytes = utf8.encode(JSON.stringify({ id: member.id, name: member.name, image: member.image }));
    this.kept.set(member.id, { name: member.name, image: member.image, bytes });
    return bytes;
  }
}
