import { type Member, type Message, type Room, replyExcerpt, ServerFrame } from "@parley/protocol";
import type { RoomListFilter } from "../administration-ports.js";
import { toMember, type UserRecord } from "../member.js";
import type {
  ActionLimiter,
  AppendResult,
  CommittedChange,
  EncodedFrame,
  MembershipStore,
  MessageChangeStore,
  MessageStore,
  NewMessage,
  PersonPosition,
  RoomListPosition,
  RoomStanding,
  RoomStore,
  Subscriber,
  UserDirectory,
} from "../ports.js";

/**
 * In-memory stand-ins for the domain's ports, for unit tests only. They pass the same contract
 * suite as the SQL repositories (test/contracts/repository.contract.ts): change both together.
 */

/** The newest `limit` of `rows` (slice(-0) would be all of them). */
const newest = <T>(rows: T[], limit: number): T[] => (limit > 0 ? rows.slice(-limit) : []);

export class FakeMessageStore implements MessageStore {
  readonly rows: Message[] = [];
  /** Users' current profiles: history shows an author's present name and picture, as SQL's join does. */
  private readonly profiles = new Map<string, Member>();

  /** Given the rooms, it refuses messages and members for rooms that do not exist, as SQL's keys do. */
  constructor(readonly rooms?: FakeRoomStore) {}

  /** A user's current profile, as the SQL join reads it. */
  profile(userId: string): Member | undefined {
    return this.profiles.get(userId);
  }

  /** Throws as a foreign key would when the room is unknown (only when built with the rooms). */
  requireRoom(roomId: string): void {
    if (this.rooms && !this.rooms.rooms.some((room) => room.id === roomId)) {
      throw new Error(`room ${roomId} does not exist`);
    }
  }

  /** A user signed up or changed their name or picture. */
  saveUser(user: UserRecord): void {
    this.profiles.set(user.id, toMember(user));
  }

  async append(input: NewMessage): Promise<AppendResult> {
    const earlier = this.rows.find((m) => m.author.id === input.author.id && m.clientId === input.clientId);
    if (earlier) return { message: this.current(earlier), duplicate: true };
    this.requireRoom(input.roomId);
    const seq = this.lastSeq(input.roomId) + 1;
    const message: Message = { ...input, seq };
    this.rows.push(message);
    return { message, duplicate: false };
  }

  /** Every user it knows. */
  everyone(): Member[] {
    return [...this.profiles.values()];
  }

  lastSeq(roomId: string): number {
    return this.rows.filter((m) => m.roomId === roomId).length;
  }

  private room(roomId: string) {
    return this.rows.filter((m) => m.roomId === roomId).map((m) => this.current(m));
  }

  /** A person's current display name (their id when unknown). */
  nameOf(userId: string): string {
    return this.profiles.get(userId)?.name ?? userId;
  }

  private current(message: Message): Message {
    const author = this.profiles.get(message.author.id);
    const withAuthor = author ? { ...message, author } : message;
    return withAuthor.replyTo ? { ...withAuthor, replyTo: this.quote(withAuthor) } : withAuthor;
  }

  /** What a reply quotes, from the original as it is now (SQL joins it at read time). */
  private quote(message: Message): NonNullable<Message["replyTo"]> {
    const reply = message.replyTo as NonNullable<Message["replyTo"]>;
    const original = this.rows.find((m) => m.roomId === message.roomId && m.seq === reply.seq);
    if (!original) return reply;
    if (original.deletedAt !== undefined) {
      return {
        seq: reply.seq,
        authorId: original.author.id,
        authorName: this.nameOf(original.author.id),
        excerpt: "",
        deleted: true,
      };
    }
    return {
      seq: reply.seq,
      authorId: original.author.id,
      authorName: this.nameOf(original.author.id),
      excerpt: replyExcerpt(original.body),
    };
  }

  async latest(roomId: string, limit: number) {
    return newest(this.room(roomId), limit);
  }

  async before(roomId: string, beforeSeq: number, limit: number) {
    return newest(
      this.room(roomId).filter((m) => m.seq < beforeSeq),
      limit,
    );
  }

  async after(roomId: string, afterSeq: number, limit: number) {
    return this.room(roomId)
      .filter((m) => m.seq > afterSeq)
      .slice(0, Math.max(limit, 0));
  }
}

const byNameKey = (a: RoomListPosition, b: RoomListPosition) =>
  a.nameKey === b.nameKey ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.nameKey < b.nameKey ? -1 : 1;

export class FakeRoomStore implements RoomStore {
  readonly rooms: Array<Room & { nameKey: string; directKey?: string }> = [];
  async page(after: RoomListPosition | undefined, limit: number, filter: RoomListFilter = "all") {
    const order = byNameKey;
    return [...this.rooms]
      .filter((room) => room.kind === "open")
      .sort(order)
      .filter((room) => !after || order(room, after) > 0)
      .filter((room) => filter === "all" || (filter === "archived") === Boolean(room.archived))
      .slice(0, limit);
  }
  async byId(id: string) {
    return asRoom(this.rooms.find((room) => room.id === id));
  }
  async bySlug(slug: string) {
    return asRoom(this.rooms.find((room) => room.slug === slug));
  }
  async byNameKey(nameKey: string) {
    return asRoom(this.rooms.find((room) => room.kind === "open" && room.nameKey === nameKey));
  }
  async byDirectKey(directKey: string) {
    return asRoom(this.rooms.find((room) => room.directKey === directKey));
  }
  async tryCreate(room: Room, nameKey: string, directKey?: string) {
    // The id (primary key), the slug and the direct key (unique indexes) must be free.
    const taken = (existing: (typeof this.rooms)[number]) =>
      existing.id === room.id ||
      existing.slug === room.slug ||
      (directKey !== undefined && existing.directKey === directKey);
    if (this.rooms.some(taken)) return false;
    const { people: _people, ...stored } = room;
    this.rooms.push({ ...stored, nameKey, ...(directKey === undefined ? {} : { directKey }) });
    return true;
  }
}

/** A stored room as the SQL store returns it: without its name key and direct key. */
function asRoom(stored: (Room & { nameKey: string; directKey?: string }) | undefined): Room | undefined {
  if (!stored) return undefined;
  const { nameKey: _key, directKey: _direct, ...room } = stored;
  return room;
}

/** Lets every action through: for tests of other things than limits. */
export const unlimited: ActionLimiter = { take: async () => ({ allowed: true }) };

export class FakeMembershipStore implements MembershipStore {
  /** User → room → read position. */
  readonly positions = new Map<string, Map<string, number>>();
  constructor(private readonly messages: FakeMessageStore) {}

  async standings(userId: string): Promise<RoomStanding[]> {
    return [...(this.positions.get(userId) ?? [])].map(([roomId, lastReadSeq]) => ({
      roomId,
      lastReadSeq,
      lastSeq: this.messages.lastSeq(roomId),
    }));
  }

  async ensure(userId: string, roomId: string) {
    return (await this.add(userId, roomId)).lastReadSeq;
  }

  async add(userId: string, roomId: string) {
    this.messages.requireRoom(roomId);
    let rooms = this.positions.get(userId);
    if (!rooms) {
      rooms = new Map();
      this.positions.set(userId, rooms);
    }
    const existing = rooms.get(roomId);
    const position = existing ?? this.messages.lastSeq(roomId);
    rooms.set(roomId, position);
    return { lastReadSeq: position, added: existing === undefined };
  }

  async position(userId: string, roomId: string) {
    return this.positions.get(userId)?.get(roomId);
  }

  async remove(userId: string, roomId: string) {
    return this.positions.get(userId)?.delete(roomId) ?? false;
  }

  async memberIds(roomId: string) {
    return [...this.positions].filter(([, rooms]) => rooms.has(roomId)).map(([userId]) => userId);
  }

  async members(roomId: string, after: PersonPosition | undefined, limit: number) {
    const people = (await this.memberIds(roomId))
      .map((userId) => this.messages.profile(userId))
      .filter((member): member is Member => member !== undefined);
    return pageOfPeople(people, after, limit);
  }

  async roomsOf(userId: string, limit: number) {
    const ids = new Set(this.positions.get(userId)?.keys() ?? []);
    const rooms = this.messages.rooms?.rooms ?? [];
    return rooms
      .filter((room) => ids.has(room.id))
      .sort(byNameKey)
      .slice(0, limit)
      .map((room) => asRoom(room) as Room);
  }

  async markRead(userId: string, roomId: string, seq: number) {
    const rooms = this.positions.get(userId);
    const position = rooms?.get(roomId);
    // Only members have a read position; marking a room read does not join it.
    if (!rooms || position === undefined) return 0;
    const next = Math.max(position, Math.min(seq, this.messages.lastSeq(roomId)));
    rooms.set(roomId, next);
    return next;
  }
}

/** People in (name, id) order after `after`: the order of the SQL stores (binary name order). */
export function pageOfPeople(people: Member[], after: PersonPosition | undefined, limit: number): Member[] {
  const order = (a: PersonPosition, b: PersonPosition) =>
    a.name === b.name ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.name < b.name ? -1 : 1;
  return [...people]
    .sort(order)
    .filter((person) => !after || order(person, after) > 0)
    .slice(0, limit);
}

/** The people directory over the message store's profiles. */
export class FakeUserDirectory implements UserDirectory {
  constructor(private readonly messages: FakeMessageStore) {}
  async displayName(userId: string) {
    return this.messages.profile(userId)?.name;
  }
  async profiles(userIds: readonly string[]) {
    return userIds.map((id) => this.messages.profile(id)).filter((m): m is Member => m !== undefined);
  }
  async page(filter: string | undefined, after: PersonPosition | undefined, limit: number) {
    const everyone = this.messages.everyone();
    const matching = filter
      ? everyone.filter((person) => person.name.toLowerCase().includes(filter.toLowerCase()))
      : everyone;
    return pageOfPeople(matching, after, limit);
  }
}

/** A subscriber that keeps every frame it was handed, decoded and checked against the protocol. */
export class RecordingSubscriber implements Subscriber {
  readonly raw: EncodedFrame[] = [];
  constructor(
    readonly connectionId: string,
    readonly user: { id: string; name: string; image: string },
  ) {}
  deliver(data: EncodedFrame): void {
    this.raw.push(data);
  }
  get frames(): ServerFrame[] {
    const utf8 = new TextDecoder();
    return this.raw.map((data) => ServerFrame.parse(JSON.parse(utf8.decode(data))));
  }
  ofType<T extends ServerFrame["type"]>(type: T): Extract<ServerFrame, { type: T }>[] {
    return this.frames.filter((frame): frame is Extract<ServerFrame, { type: T }> => frame.type === type);
  }
}

/** The change log over a FakeMessageStore's rows (edits, issue 15 part A); same contract as SQL's. */
export class FakeMessageChangeStore implements MessageChangeStore {
  private readonly lastChange = new Map<string, number>();

  constructor(private readonly messages: FakeMessageStore) {}

  async get(roomId: string, seq: number): Promise<Message | undefined> {
    return this.find(roomId, seq);
  }

  async edit(roomId: string, seq: number, body: string, editedAt: number) {
    return this.change(roomId, seq, (message) =>
      message.deletedAt === undefined ? { ...message, body, editedAt } : undefined,
    );
  }

  async delete(roomId: string, seq: number, deletedAt: number) {
    return this.change(roomId, seq, (message) => {
      if (message.deletedAt !== undefined) return undefined;
      const { reactions: _reactions, replyTo: _replyTo, ...rest } = message;
      return { ...rest, body: "", deletedAt };
    });
  }

  async react(input: {
    roomId: string;
    seq: number;
    userId: string;
    emoji: string;
    add: boolean;
    maxEmoji: number;
  }): Promise<CommittedChange | "unchanged" | "full" | undefined> {
    const message = this.find(input.roomId, input.seq);
    if (!message || message.deletedAt !== undefined) return undefined;
    const reactions = (message.reactions ?? []).map((r) => ({ emoji: r.emoji, users: [...r.users] }));
    const existing = reactions.find((r) => r.emoji === input.emoji);
    const mine = existing?.users.some((user) => user.id === input.userId) ?? false;
    if (mine === input.add) return "unchanged";
    if (input.add) {
      if (!existing && reactions.length >= input.maxEmoji) return "full";
      const user = { id: input.userId, name: this.messages.nameOf(input.userId) };
      if (existing) existing.users.push(user);
      else reactions.push({ emoji: input.emoji, users: [user] });
    } else if (existing) {
      existing.users = existing.users.filter((user) => user.id !== input.userId);
    }
    const kept = reactions.filter((r) => r.users.length > 0);
    return this.change(input.roomId, input.seq, (current) => ({ ...current, reactions: kept }));
  }

  async positions(roomId: string) {
    return { lastSeq: this.messages.lastSeq(roomId), lastChangeSeq: this.lastChange.get(roomId) ?? 0 };
  }

  async changedSince(roomId: string, afterChangeSeq: number, upToSeq: number, limit: number) {
    return this.messages.rows
      .filter((m) => m.roomId === roomId && (m.changeSeq ?? 0) > afterChangeSeq && m.seq <= upToSeq)
      .sort((a, b) => (a.changeSeq ?? 0) - (b.changeSeq ?? 0))
      .slice(0, limit);
  }

  private find(roomId: string, seq: number): Message | undefined {
    return this.messages.rows.find((m) => m.roomId === roomId && m.seq === seq);
  }

  private change(
    roomId: string,
    seq: number,
    apply: (message: Message) => Message | undefined,
  ): CommittedChange | undefined {
    const index = this.messages.rows.findIndex((m) => m.roomId === roomId && m.seq === seq);
    const current = this.messages.rows[index];
    if (!current) return undefined;
    const next = apply(current);
    if (!next) return undefined;
    const changeSeq = (this.lastChange.get(roomId) ?? 0) + 1;
    this.lastChange.set(roomId, changeSeq);
    const message = { ...next, changeSeq };
    this.messages.rows[index] = message;
    return { changeSeq, message };
  }
}
