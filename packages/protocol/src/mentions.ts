/**
 * @mentions as they appear in a message body: `@` followed by a person's display name (names may
 * hold spaces and any script), or `@here` / `@room`. Server (resolving whom a message mentions) and
 * browser (highlighting) use this one parser, so they always agree.
 */

/** `@here`: the people in the room right now; `@room`: every member. */
export const ROOM_WIDE_MENTIONS = ["here", "room"] as const;
export type RoomWideMention = (typeof ROOM_WIDE_MENTIONS)[number];

/** `@` marks read per message: past it the rest of the body is plain text (bounds the work per send). */
export const MAX_MENTION_MARKS = 50;

export interface MentionCandidate {
  readonly id: string;
  readonly name: string;
}

/** One mention found in a body, by UTF-16 offsets (`start` is the `@`). */
export type FoundMention =
  | { readonly start: number; readonly end: number; readonly kind: "person"; readonly userId: string }
  | { readonly start: number; readonly end: number; readonly kind: RoomWideMention };

const WORD = /[\p{L}\p{N}_]/u;
/** Japanese and Chinese have no spaces: `@青木さん` mentions 青木. */
const NO_SPACE_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

/** True when a mention may end before `next` (the character after it, if any). */
function endsAt(next: string | undefined, last: string): boolean {
  if (next === undefined || !WORD.test(next)) return true;
  return NO_SPACE_SCRIPT.test(next) || NO_SPACE_SCRIPT.test(last);
}

export type MentionIndex = ReadonlyArray<{ readonly id: string; readonly key: string }>;

/** Candidates longest name first, so `@Ada Lovelace` wins over `@Ada`; lower-cased once. */
export function mentionIndex(candidates: readonly MentionCandidate[]): MentionIndex {
  return candidates
    .map((candidate) => ({ id: candidate.id, key: candidate.name.toLocaleLowerCase() }))
    .filter((candidate) => candidate.key.length > 0)
    .sort((a, b) => b.key.length - a.key.length);
}

/**
 * Every mention in `body` of one of the indexed people (or of everyone), in order. An `@` inside a word
 * (an e-mail address) is no mention; matching ignores case.
 */
export function findMentions(body: string, index: MentionIndex): FoundMention[] {
  const lower = body.toLocaleLowerCase();
  // Lower-casing keeps offsets for nearly every script; if not, matching on the original is safer.
  const text = lower.length === body.length ? lower : body;
  const found: FoundMention[] = [];
  let marks = 0;
  for (let at = text.indexOf("@"); at !== -1 && marks < MAX_MENTION_MARKS; at = text.indexOf("@", at + 1)) {
    marks++;
    const before = at > 0 ? text[at - 1] : undefined;
    if (before !== undefined && WORD.test(before)) continue;
    const start = at + 1;
    let mention: FoundMention | undefined;
    for (const wide of ROOM_WIDE_MENTIONS) {
      if (text.startsWith(wide, start) && endsAt(text[start + wide.length], "x")) {
        mention = { start: at, end: start + wide.length, kind: wide };
      }
    }
    if (!mention) {
      for (const { id, key } of index) {
        if (!text.startsWith(key, start)) continue;
        const end = start + key.length;
        if (!endsAt(text[end], key.at(-1) ?? "")) continue;
        mention = { start: at, end, kind: "person", userId: id };
        break;
      }
    }
    if (mention) {
      found.push(mention);
      at = mention.end - 1;
    }
  }
  return found;
}

/** Whether a body asks for `@here` or `@room` (checked before a send is stored: it may be refused). */
export function roomWideMention(body: string): RoomWideMention | undefined {
  for (const mention of findMentions(body, [])) if (mention.kind !== "person") return mention.kind;
  return undefined;
}

/**
 * The text being typed as a mention at `caret`: from an `@` at a word start up to the caret, with
 * no line break in between. Undefined when the caret is not in a mention.
 */
export function mentionQueryAt(text: string, caret: number): { start: number; query: string } | undefined {
  const head = text.slice(0, caret);
  const at = head.lastIndexOf("@");
  if (at === -1) return undefined;
  const before = at > 0 ? head[at - 1] : undefined;
  if (before !== undefined && WORD.test(before)) return undefined;
  const query = head.slice(at + 1);
  if (query.includes("\n") || query.length > 64 || /\s{2}/.test(query)) return undefined;
  return { start: at, query };
}
