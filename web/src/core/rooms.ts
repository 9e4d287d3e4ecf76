import type { ExpandedPage, JoinedFrame, Member, Message, Room } from "@parley/protocol";
import { replyExcerpt } from "@parley/protocol";
import { applyChange, type ChatMessage, mergeMessages, resumeCursor } from "./messages.js";
import type { Problem } from "./problem.js";

/** A refusal or failure in a room, and what the user was doing when it happened. */
export interface RoomError {
  readonly during: "send" | "load_older" | "room" | "change" | "open_message";
  readonly problem: Problem;
}

export interface RoomState {
  readonly messages: readonly ChatMessage[];
  readonly members: readonly Member[];
  readonly hasOlder: boolean;
  /** A `joined` has arrived at least once, so `messages` reaches the newest and `hasOlder` is known. */
  readonly loaded: boolean;
  readonly loadingOlder: boolean;
  /** The latest refusal or failure for this room, shown under the composer. */
  readonly error: RoomError | null;
  // edits (issue 15 part A)
  /** The room's change sequence this client is current to (`changesSince` of the next join). */
  readonly changeCursor: number | undefined;
  /** A page around an old message, shown instead of the live tail while it is set (decision 0035). */
  readonly focus: FocusView | null;
  /** The message to bring into view and highlight; `token` changes on every request. */
  readonly highlight: { readonly seq: number; readonly token: number } | null;
  /** The message the composer's next send answers. */
  readonly replyingTo: ReplyTarget | null;
  /** The message being edited in place. */
  readonly editing: number | null;
}

/** The message the composer answers, with its author's name as it was when chosen. */
export interface ReplyTarget {
  readonly seq: number;
  readonly authorName: string;
}

/** History around a message that is not continuous with the live tail. */
export interface FocusView {
  readonly target: number;
  readonly messages: readonly ChatMessage[];
  readonly hasOlder: boolean;
  readonly hasNewer: boolean;
  readonly loadingOlder: boolean;
}

export const EMPTY_ROOM: RoomState = {
  messages: [],
  members: [],
  hasOlder: false,
  loaded: false,
  loadingOlder: false,
  error: null,
  changeCursor: undefined,
  focus: null,
  highlight: null,
  replyingTo: null,
  editing: null,
};

/**
 * The `since` to join with: what we hold without a hole, or nothing before the first `joined`.
 * A loaded room with no messages was empty when joined: resume from 0, or a reconnect after a
 * busy while would bring only the newest page and skip the rest.
 */
export function roomCursor(room: RoomState | undefined): number | undefined {
  return room?.loaded ? (resumeCursor(room.messages) ?? 0) : undefined;
}

/** A `joined` frame with its messages' authors put back from its `users`. */
export type JoinedRoom = ExpandedPage<JoinedFrame>;

/** A room after its `joined` answer (a first join or a resume). */
export function applyJoined(
  before: RoomState,
  frame: JoinedRoom,
  changed: readonly Message[] = [],
): RoomState {
  const held = roomCursor(before);
  const first = frame.messages[0]?.seq;
  const changeCursor = frame.lastChangeSeq ?? before.changeCursor;
  if (frame.stale) {
    // Too much changed while away: nothing held can be trusted, the newest page starts afresh.
    return {
      ...before,
      messages: frame.messages,
      members: frame.members,
      hasOlder: frame.hasOlder,
      loaded: true,
      changeCursor,
    };
  }
  const room = withChanges(before, changed);
  // Seqs have no gaps, so a resume answer starts right after what we held. If it does not,
  // the server sent the newest page instead (too much was missed): what we held is no longer
  // continuous with it, so drop it and let scrolling up fetch the older history again.
  if (held === undefined || (first !== undefined && first > held + 1)) {
    return {
      ...room,
      messages: held === undefined ? mergeMessages(room.messages, frame.messages) : frame.messages,
      members: frame.members,
      hasOlder: frame.hasOlder,
      loaded: true,
      changeCursor,
    };
  }
  // A resumed answer's `hasOlder` is about what precedes the new messages, which we hold.
  return {
    ...room,
    messages: mergeMessages(room.messages, frame.messages),
    members: frame.members,
    changeCursor,
  };
}

/** The room with changed messages applied to the live tail and to the focus page. */
export function withChanges(room: RoomState, changed: readonly Message[] | undefined): RoomState {
  if (!changed || changed.length === 0) return room;
  let messages = room.messages;
  let focus = room.focus;
  for (const message of changed) {
    messages = requote(applyChange(messages, message), message);
    if (focus) {
      const inFocus = focus.messages.some(
        (held) => held.seq === message.seq || held.replyTo?.seq === message.seq,
      );
      if (inFocus) focus = { ...focus, messages: requote(applyChange(focus.messages, message), message) };
    }
  }
  return messages === room.messages && focus === room.focus ? room : { ...room, messages, focus };
}

/** The room list with `room` added, or renamed in place; the same array when nothing changed. */
export function withRoom(rooms: readonly Room[], room: Room): readonly Room[] {
  const index = rooms.findIndex((candidate) => candidate.id === room.id);
  if (index === -1) return [...rooms, room];
  const existing = rooms[index];
  if (
    existing &&
    existing.name === room.name &&
    existing.slug === room.slug &&
    existing.topic === room.topic &&
    existing.archived === room.archived
  )
    return rooms;
  return rooms.map((candidate) => (candidate.id === room.id ? room : candidate));
}

/** The list without the room with this id (admin slice: a deleted room). */
export function withoutRoom(rooms: readonly Room[], roomId: string): readonly Room[] {
  return rooms.some((room) => room.id === roomId) ? rooms.filter((room) => room.id !== roomId) : rooms;
}
// --- rooms-access ---
/**
 * What a room is called for this user: its name, or for a direct conversation the names of the
 * other people in it (the user's own name when writing to themselves only).
 */
export function roomTitle(room: Room, me: Member | null): string {
  if (room.kind !== "direct") return room.name;
  const people = room.people ?? [];
  const others = people.filter((person) => person.id !== me?.id);
  return (others.length > 0 ? others : people)
    .map((person) => person.name)
    .sort((a, b) => a.localeCompare(b))
    .join(", ");
}

/** The sidebar's order: rooms by name, then direct conversations by title. */
export function sidebarRooms(
  rooms: readonly Room[],
  memberships: readonly string[],
  me: Member | null,
): { rooms: Room[]; direct: Room[] } {
  const mine = new Set(memberships);
  const byTitle = (a: Room, b: Room) => roomTitle(a, me).localeCompare(roomTitle(b, me));
  const listed = rooms.filter((room) => mine.has(room.id));
  return {
    rooms: listed.filter((room) => room.kind !== "direct").sort(byTitle),
    direct: listed.filter((room) => room.kind === "direct").sort(byTitle),
  };
}
// --- end rooms-access ---
/** Replies to `original` in `messages` with their quote brought up to date (edited or deleted). */
function requote(messages: readonly ChatMessage[], original: Message): readonly ChatMessage[] {
  if (!messages.some((message) => message.replyTo?.seq === original.seq)) return messages;
  const deleted = original.deletedAt !== undefined;
  return messages.map((message) => {
    if (message.replyTo?.seq !== original.seq) return message;
    const { deleted: _deleted, ...quote } = message.replyTo;
    return {
      ...message,
      replyTo: deleted
        ? { ...quote, excerpt: "", deleted: true }
        : { ...quote, excerpt: replyExcerpt(original.body) },
    };
  });
}

/**
 * The room with its focus page merged into the live tail once the two touch (no hole between
 * them), so the list is one again; otherwise unchanged.
 */
export function settleFocus(room: RoomState): RoomState {
  const focus = room.focus;
  if (!focus || !room.loaded) return room;
  const tailFirst = room.messages[0]?.seq;
  const focusLast = focus.messages.at(-1)?.seq ?? 0;
  if (tailFirst !== undefined && focusLast + 1 < tailFirst) return room;
  return {
    ...room,
    messages: mergeMessages(focus.messages, room.messages),
    hasOlder: focus.hasOlder,
    focus: null,
  };
}
