import { MAX_UNREAD_MENTIONS_PER_ROOM } from "@parley/protocol";
import type { RoomUnread } from "./unread.js";

/**
 * Unread mentions per room, as seqs: `mention_state` on every connect, `mention` live. A mention
 * stops counting once the read position passes it, so the badge follows reading exactly.
 */
export class MentionTracker {
  private state: Readonly<Record<string, readonly number[]>> = {};

  get mentions(): Readonly<Record<string, readonly number[]>> {
    return this.state;
  }

  /** Everything the server knows (on connect): replaces what was held. */
  replace(rooms: ReadonlyArray<{ roomId: string; seqs: readonly number[] }>): void {
    const next: Record<string, readonly number[]> = {};
    for (const room of rooms)
      if (room.seqs.length > 0) next[room.roomId] = [...room.seqs].sort((a, b) => a - b);
    this.state = next;
  }

  /** One more mention; false when it was known. */
  add(roomId: string, seq: number): boolean {
    const seqs = this.state[roomId] ?? [];
    if (seqs.includes(seq)) return false;
    const next = [...seqs, seq].sort((a, b) => a - b).slice(-MAX_UNREAD_MENTIONS_PER_ROOM);
    this.state = { ...this.state, [roomId]: next };
    return true;
  }
}

/** Mentions in a room above the read position. */
export function mentionCount(seqs: readonly number[] | undefined, unread: RoomUnread | undefined): number {
  if (!seqs) return 0;
  const read = unread?.lastReadSeq ?? 0;
  let count = 0;
  for (const seq of seqs) if (seq > read) count++;
  return count;
}

export function totalMentions(
  mentions: Readonly<Record<string, readonly number[]>>,
  unread: Readonly<Record<string, RoomUnread>>,
): number {
  let total = 0;
  for (const [roomId, seqs] of Object.entries(mentions)) total += mentionCount(seqs, unread[roomId]);
  return total;
}
