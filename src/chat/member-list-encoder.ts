import type { Member } from "@parley/protocol";

const utf8 = new TextEncoder();
const COMMA = 0x2c;
const CLOSE = 0x5d;
const EMPTY = utf8.encode("[]");

/** Members whose encoding is kept; past it the cache starts over (a node rarely sees that many at once). */
const MAX_KEPT_MEMBERS = 50_000;
/** Rooms whose last list is kept; past it the cache starts over. */
const MAX_KEPT_ROOMS = 10_000;

interface EncodedMember {
  name: string;
  image: string;
  bytes: Uint8Array;
}

/** The last list encoded for a room: which members, as which encodings, and the bytes. */
interface EncodedList {
  members: EncodedMember[];
  bytes: Uint8Array;
}

/**
 * The member list of `joined` as JSON bytes, without serialising the list for every joiner:
 * while a room of hundreds fills after a deploy, every joiner got the whole list serialised anew,
 * a cost that grows with the square of the room's size (decision 0052). The list itself is read
 * fresh for every join, as before. Each member's JSON is kept while their name and picture stay
 * the same, and each room's last list too: the next joiner's list is usually the same or the
 * same with a few members more at the end (the order presence keeps them in), so it is reused or
 * extended by a copy rather than assembled piece by piece.
 */
export class MemberListEncoder {
  private readonly members = new Map<string, EncodedMember>();
  private readonly lists = new Map<string, EncodedList>();

  /** The bytes of `JSON.stringify(members)`, the room's present members. */
  encode(roomId: string, members: readonly Member[]): Uint8Array {
    const encoded = members.map((member) => this.memberBytes(member));
    const last = this.lists.get(roomId);
    const kept = last ? sharedPrefix(last.members, encoded) : 0;
    let bytes: Uint8Array;
    if (last && kept === encoded.length && kept === last.members.length) {
      bytes = last.bytes;
    } else if (last && kept === last.members.length && kept > 0) {
      bytes = extend(last.bytes, encoded.slice(kept));
    } else {
      bytes = extend(EMPTY, encoded);
    }
    if (!last && this.lists.size >= MAX_KEPT_ROOMS) this.lists.clear();
    this.lists.set(roomId, { members: encoded, bytes });
    return bytes;
  }

  private memberBytes(member: Member): EncodedMember {
    const kept = this.members.get(member.id);
    if (kept && kept.name === member.name && kept.image === member.image) return kept;
    if (this.members.size >= MAX_KEPT_MEMBERS) this.members.clear();
    // Only the three fields of a Member, in their order: whatever else an object carries stays out.
    const bytes = utf8.encode(JSON.stringify({ id: member.id, name: member.name, image: member.image }));
    const encoded = { name: member.name, image: member.image, bytes };
    this.members.set(member.id, encoded);
    return encoded;
  }
}

/** How many leading entries the two lists share (the same kept encodings, so the same bytes). */
function sharedPrefix(before: readonly EncodedMember[], now: readonly EncodedMember[]): number {
  const length = Math.min(before.length, now.length);
  let index = 0;
  while (index < length && before[index] === now[index]) index++;
  return index;
}

/** A JSON array's bytes with more members at its end. */
function extend(list: Uint8Array, more: readonly EncodedMember[]): Uint8Array {
  if (more.length === 0) return list;
  // "[]" has nothing before its bracket to separate from; any other list needs a comma.
  const empty = list.length === EMPTY.length;
  let length = list.length + (empty ? -1 : 0);
  for (const member of more) length += member.bytes.length + 1;
  const result = new Uint8Array(length);
  let at = list.length - 1;
  result.set(list.subarray(0, at), 0);
  for (const [index, member] of more.entries()) {
    if (index > 0 || !empty) result[at++] = COMMA;
    result.set(member.bytes, at);
    at += member.bytes.length;
  }
  result[at] = CLOSE;
  return result;
}
