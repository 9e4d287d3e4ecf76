import type { ExpandedPage, JoinedFrame, Member, Room } from "@parley/protocol";
import { type ChatMessage, mergeMessages, resumeCursor } from "./messages.js";
import type { Problem } from "./problem.js";

/** A refusal or failure in a room, and what the user was doing when it happened. */
export interface RoomError {
  readonly during: "send" | "load_older" | "room";
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
}

export const EMPTY_ROOM: RoomState = {
  messages: [],
  members: [],
  hasOlder: false,
  loaded: false,
  loadingOlder: false,
  error: null,
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
export function applyJoined(room: RoomState, frame: JoinedRoom): RoomState {
  const held = roomCursor(room);
  const first = frame.messages[0]?.seq;
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
    };
  }
  // A resumed answer's `hasOlder` is about what precedes the new messages, which we hold.
  return { ...room, messages: mergeMessages(room.messages, frame.messages), members: frame.members };
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
