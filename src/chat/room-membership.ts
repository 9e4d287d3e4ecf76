import { randomBytes, randomUUID } from "node:crypto";
import { MAX_DIRECT_PEOPLE, MAX_MEMBERSHIPS_LISTED, type Member, type Room } from "@parley/protocol";
import { directKey } from "./direct-key.js";
import type { Hub } from "./hub.js";
import type { Participant } from "./participant.js";
import { decodePersonCursor, encodePersonCursor } from "./person-cursor.js";
import type { BusEvent, ChatDependencies } from "./ports.js";
import type { RoomAccess } from "./room-access.js";
import { DependencyUnavailableError, isDependencyUnavailable } from "./unavailable.js";

/** Why a membership change or a people read was refused; the HTTP edge maps each to a status. */
export type MembershipRefusalReason =
  /** The room does not exist or the person may not read it (the same to them). */
  | "not_found"
  /** A person named does not exist. */
  | "unknown_person"
  /** The person is not a member of the room. */
  | "not_member"
  /** Only the room's creator (administrators later) may do this. */
  | "not_allowed"
  /** A direct conversation's people are fixed: no one joins, leaves, is invited or removed. */
  | "direct_is_fixed"
  /** A cursor this server did not give out. */
  | "bad_cursor";

export class MembershipRefusal extends Error {
  constructor(
    readonly reason: MembershipRefusalReason,
    message: string,
  ) {
    super(message);
    this.name = "MembershipRefusal";
  }
}

/** A page of people in name order; `nextCursor` is null on the last page. */
export interface PeoplePage {
  people: Member[];
  nextCursor: string | null;
}

const NOT_FOUND = "There is no such room.";
/** Removals applied here and awaiting their echo from the bus; far more than could be in flight. */
const APPLIED_CHANGES_KEPT = 10_000;

/**
 * Whether this person may remove others from the room: its creator. The administrators' role
 * (another slice) is wired in here at merge, and nowhere else.
 */
export function mayRemoveMembers(room: Room, personId: string): boolean {
  return room.createdBy !== null && room.createdBy === personId;
}

/**
 * Membership of rooms: join and leave open rooms, invite into and remove from private ones,
 * direct conversations found again by their people, the member list and the people directory.
 * Every change is stored first, then published: every node forgets its cached access for the
 * room, drops a removed person's sockets from it, and tells the person's sockets and the room.
 */
export class RoomMembership {
  /** Connected participants per user on this node, so a removal reaches their joins and sends. */
  private readonly participants = new Map<string, Set<Participant>>();
  /** Removals this node applied before publishing them, by change id, until the bus brings each back. */
  private readonly appliedHere = new Set<string>();

  constructor(
    private readonly deps: ChatDependencies,
    private readonly access: RoomAccess,
    private readonly hub: Hub,
  ) {}

  /** Call from the bus handler before the hub sees the event. */
  handle(event: BusEvent): void {
    if (event.kind === "member_added") this.access.forget(event.room.id);
    if (event.kind === "member_removed") {
      this.access.forget(event.roomId);
      // Applied here before the change was answered: applying it again could evict a rejoin.
      if (this.appliedHere.delete(event.changeId)) return;
      this.evict(event.userId, event.roomId);
    }
  }

  /** Takes the person's sockets on this node out of the room, synchronously. */
  private evict(userId: string, roomId: string): void {
    this.hub.evict(userId, roomId);
    for (const participant of this.participants.get(userId) ?? []) participant.revoke(roomId);
  }

  connected(participant: Participant): void {
    let set = this.participants.get(participant.user.id);
    if (!set) {
      set = new Set();
      this.participants.set(participant.user.id, set);
    }
    set.add(participant);
  }

  disconnected(participant: Participant): void {
    const set = this.participants.get(participant.user.id);
    set?.delete(participant);
    if (set?.size === 0) this.participants.delete(participant.user.id);
  }

  /** The rooms the person is a member of (the sidebar), direct ones with their people. */
  async roomsOf(userId: string): Promise<Room[]> {
    const rooms = await this.deps.memberships.roomsOf(userId, MAX_MEMBERSHIPS_LISTED);
    return Promise.all(rooms.map((room) => this.withPeople(room)));
  }

  /** A direct conversation carries its people, from whom each reader names it. */
  async withPeople(room: Room): Promise<Room> {
    if (room.kind !== "direct") return room;
    const people = await this.deps.memberships.members(room.id, undefined, MAX_DIRECT_PEOPLE);
    return { ...room, people };
  }

  /** Becomes a member of an open room (or stays one of a room already joined). */
  async join(userId: string, roomId: string): Promise<Room> {
    const room = await this.readableRoom(userId, roomId);
    if (room.kind === "direct") return this.withPeople(room);
    // In a private room one can read, one is a member already.
    if (room.kind !== "open") return room;
    const member = await this.person(userId);
    await this.requireBus();
    const { added } = await this.deps.memberships.add(userId, roomId);
    if (added) await this.publishChange({ kind: "member_added", room, member });
    return room;
  }

  /** Stops being a member. An open room stays readable; a private one vanishes for the person. */
  async leave(userId: string, roomId: string): Promise<void> {
    const room = await this.readableRoom(userId, roomId);
    if (room.kind === "direct")
      throw new MembershipRefusal("direct_is_fixed", "A direct conversation cannot be left.");
    await this.requireBus();
    if (!(await this.deps.memberships.remove(userId, roomId)))
      throw new MembershipRefusal("not_member", "You are not a member of this room.");
    await this.publishChange({
      kind: "member_removed",
      roomId,
      roomKind: room.kind,
      userId,
      changeId: randomUUID(),
    });
  }

  /** Any member of a private room (anyone who may read an open one) may add a person. */
  async invite(inviterId: string, roomId: string, inviteeId: string): Promise<Member> {
    const room = await this.readableRoom(inviterId, roomId);
    if (room.kind === "direct")
      throw new MembershipRefusal(
        "direct_is_fixed",
        "A direct conversation's people are fixed; start a new one with everyone instead.",
      );
    if (room.kind === "private" && !(await this.access.isMember(inviterId, roomId)))
      throw new MembershipRefusal("not_found", NOT_FOUND);
    const member = await this.person(inviteeId);
    await this.requireBus();
    const { added } = await this.deps.memberships.add(inviteeId, roomId);
    if (added) await this.publishChange({ kind: "member_added", room, member });
    return member;
  }

  /** The creator removes a member; anyone removes themselves (that is leaving). */
  async remove(removerId: string, roomId: string, memberId: string): Promise<void> {
    if (removerId === memberId) return this.leave(removerId, roomId);
    const room = await this.readableRoom(removerId, roomId);
    if (room.kind === "direct")
      throw new MembershipRefusal("direct_is_fixed", "No one can be removed from a direct conversation.");
    if (!mayRemoveMembers(room, removerId))
      throw new MembershipRefusal("not_allowed", "Only the person who created this room can remove members.");
    await this.requireBus();
    if (!(await this.deps.memberships.remove(memberId, roomId)))
      throw new MembershipRefusal("not_member", "That person is not a member of this room.");
    await this.publishChange({
      kind: "member_removed",
      roomId,
      roomKind: room.kind,
      userId: memberId,
      changeId: randomUUID(),
    });
  }

  /** A page of the room's members in name order, for those who may read the room. */
  async members(
    userId: string,
    roomId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<PeoplePage> {
    await this.readableRoom(userId, roomId);
    const after = this.position(cursor);
    return this.page(await this.deps.memberships.members(roomId, after, limit + 1), limit);
  }

  /** A page of everyone, in name order, optionally only names containing `filter`. */
  async people(filter: string | undefined, cursor: string | undefined, limit: number): Promise<PeoplePage> {
    const after = this.position(cursor);
    return this.page(await this.deps.users.page(filter || undefined, after, limit + 1), limit);
  }

  /**
   * The direct conversation of the caller and these people: the one they already have, else a
   * new one (every person a member at once, each told live). Two people opening it at the same
   * instant get the same room: the direct key is unique.
   */
  async openDirect(userId: string, otherIds: readonly string[]): Promise<{ room: Room; created: boolean }> {
    const ids = [...new Set([userId, ...otherIds])];
    if (ids.length < 2) throw new MembershipRefusal("unknown_person", "Name at least one other person.");
    if (ids.length > MAX_DIRECT_PEOPLE)
      throw new MembershipRefusal(
        "unknown_person",
        `A direct conversation holds at most ${MAX_DIRECT_PEOPLE} people.`,
      );
    const people = await this.deps.users.profiles(ids);
    if (people.length !== ids.length)
      throw new MembershipRefusal("unknown_person", "There is no such person.");
    await this.requireBus();
    const key = directKey(ids);
    let room = await this.deps.rooms.byDirectKey(key);
    let created = false;
    for (let attempt = 0; !room && attempt < 3; attempt++) {
      const candidate: Room = {
        id: randomUUID(),
        slug: `dm-${randomBytes(8).toString("hex")}`,
        name: "",
        createdAt: this.deps.clock.now(),
        kind: "direct",
        createdBy: userId,
      };
      if (await this.deps.rooms.tryCreate(candidate, "", key)) {
        room = candidate;
        created = true;
      } else room = await this.deps.rooms.byDirectKey(key);
    }
    if (!room) throw new Error("could not open the direct conversation");
    const withPeople: Room = { ...room, people };
    // Idempotent: a second opener also makes sure everyone is in (the first may have died midway).
    for (const person of people) {
      const { added } = await this.deps.memberships.add(person.id, room.id);
      if (added) await this.publishChange({ kind: "member_added", room: withPeople, member: person });
    }
    return { room: withPeople, created };
  }

  private async readableRoom(userId: string, roomId: string): Promise<Room> {
    const room = await this.access.readable(userId, roomId);
    if (!room) throw new MembershipRefusal("not_found", NOT_FOUND);
    return room;
  }

  private async person(userId: string): Promise<Member> {
    const [member] = await this.deps.users.profiles([userId]);
    if (!member) throw new MembershipRefusal("unknown_person", "There is no such person.");
    return member;
  }

  private position(cursor: string | undefined) {
    if (cursor === undefined) return undefined;
    const after = decodePersonCursor(cursor);
    if (!after) throw new MembershipRefusal("bad_cursor", "The cursor is not one this server gave out.");
    return after;
  }

  private page(rows: Member[], limit: number): PeoplePage {
    const people = rows.slice(0, limit);
    const last = people.at(-1);
    return {
      people,
      nextCursor: rows.length > limit && last ? encodePersonCursor({ name: last.name, id: last.id }) : null,
    };
  }

  /** Every node must hear of a change of membership; refuse it rather than leave others out of date. */
  private async requireBus(): Promise<void> {
    if (!this.deps.bus.available) throw new DependencyUnavailableError("message bus");
  }

  /** Forgets the room's access here at once (this node answers the caller next), then tells every node. */
  private async publishChange(event: BusEvent & { kind: "member_added" | "member_removed" }): Promise<void> {
    this.access.forget(event.kind === "member_added" ? event.room.id : event.roomId);
    if (event.kind === "member_removed") {
      this.evict(event.userId, event.roomId);
      this.appliedHere.add(event.changeId);
      // Bounded: a change the bus never brought back (an outage) must not be kept for ever.
      if (this.appliedHere.size > APPLIED_CHANGES_KEPT) {
        const oldest = this.appliedHere.values().next().value;
        if (oldest !== undefined) this.appliedHere.delete(oldest);
      }
    }
    await this.deps.bus.publish(event).catch((error: unknown) => {
      if (!isDependencyUnavailable(error)) throw error;
    });
  }
}
