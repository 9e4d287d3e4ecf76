import type { Member, Message } from "@parley/protocol";

/**
 * A committed message as the list holds it. `local` marks one rebuilt from an `ack` before
 * the server's own copy arrived; the server's copy replaces it when it comes.
 */
export interface ChatMessage extends Message {
  readonly local?: boolean;
}

/** Merges by seq: never duplicates, keeps ascending order, and lets server copies replace local ones. */
export function mergeMessages(
  current: readonly ChatMessage[],
  incoming: readonly ChatMessage[],
): readonly ChatMessage[] {
  if (incoming.length === 0) return current;
  // The common case, a live message after everything held: append without re-sorting.
  const newest = current.at(-1)?.seq ?? 0;
  if (incoming.every((message, i) => message.seq > (i === 0 ? newest : (incoming[i - 1]?.seq ?? 0)))) {
    return [...current, ...incoming];
  }
  const bySeq = new Map<number, ChatMessage>();
  for (const message of current) bySeq.set(message.seq, message);
  let changed = false;
  for (const message of incoming) {
    const existing = bySeq.get(message.seq);
    if (existing && (!existing.local || message.local) && !isNewer(message, existing)) continue;
    bySeq.set(message.seq, message);
    changed = true;
  }
  if (!changed) return current;
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** True when `incoming` is a later state of the same message than `held` (a higher change sequence). */
export function isNewer(incoming: Message, held: Message): boolean {
  return (incoming.changeSeq ?? 0) > (held.changeSeq ?? 0);
}

/**
 * The list with a changed message (edits, deletions, reactions) put in: replaces the held copy
 * when the change is newer, adds it past the newest held (its `message` frame was overtaken), and
 * leaves the list alone for a message older than it holds (a history page will bring it current).
 */
export function applyChange(messages: readonly ChatMessage[], changed: Message): readonly ChatMessage[] {
  const index = messages.findIndex((message) => message.seq === changed.seq);
  const held = messages[index];
  if (held) {
    if (!held.local && !isNewer(changed, held)) return messages;
    const next = [...messages];
    next[index] = changed;
    return next;
  }
  const newest = messages.at(-1)?.seq ?? 0;
  return changed.seq > newest ? mergeMessages(messages, [changed]) : messages;
}

/** Only the author edits a message. */
export function mayEdit(myId: string | undefined, message: Message): boolean {
  return myId !== undefined && message.author.id === myId && message.deletedAt === undefined;
}

/** Who may delete: the author, or an administrator (the server's `ModerationPolicy` decides). */
export function mayDelete(myId: string | undefined, message: Message, administrator = false): boolean {
  if (myId === undefined || message.deletedAt !== undefined) return false;
  return message.author.id === myId || administrator;
}

/** Applies a presence delta in the order the protocol states it: add the newcomers, then drop the leavers. */
export function applyPresence(
  members: readonly Member[],
  joined: readonly Member[],
  left: readonly string[],
): readonly Member[] {
  const byId = new Map(members.map((member) => [member.id, member]));
  for (const member of joined) byId.set(member.id, member);
  for (const id of left) byId.delete(id);
  return [...byId.values()];
}

/**
 * The resume cursor for `join`: the highest seq held with nothing missing between it and the
 * oldest held (undefined when nothing is held). Local copies don't count: if the server's copy of
 * one was missed, resuming from below it makes the server send it again. A message that arrived
 * past a hole does not move the cursor either, so a reconnect before the hole is filled still
 * asks for what is missing.
 */
export function resumeCursor(messages: readonly ChatMessage[]): number | undefined {
  const first = messages[0];
  if (!first) return undefined;
  let cursor = first.seq - 1;
  for (const message of messages) {
    if (message.local || message.seq !== cursor + 1) break;
    cursor = message.seq;
  }
  return cursor;
}
