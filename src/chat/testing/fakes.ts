import type { Message, Room, ServerFrame } from "../../protocol/index.js";
import type {
  ActionLimiter,
  AppendResult,
  EncodedFrame,
  MembershipStore,
  MessageStore,
  NewMessage,
  RoomListPosition,
  RoomStanding,
  RoomStore,
  Subscriber,
} from "../ports.js";

/** In-memory stand-ins for the domain's ports, for unit tests only. */

export class FakeMessageStore implements MessageStore {
  readonly rows: Message[] = [];

  async append(input: NewMessage): Promise<AppendResult> {
    const earlier = this.rows.find((m) => m.author.id === input.author.id && m.clientId === input.clientId);
    if (earlier) return { message: earlier, duplicate: true };
    const seq = this.rows.filter((m) => m.roomId === input.roomId).length + 1;
    const message: Message = { ...input, seq };
    this.rows.push(message);
    return { message, duplicate: false };
  }

  private room(roomId: string) {
    return this.rows.filter((m) => m.roomId === roomId);
  }

  async latest(roomId: string, limit: number) {
    return this.room(roomId).slice(-limit);
  }

  async before(roomId: string, beforeSeq: number, limit: number) {
    return this.room(roomId)
      .filter((m) => m.seq < beforeSeq)
      .slice(-limit);
  }

  async after(roomId: string, afterSeq: number, limit: number) {
    return this.room(roomId)
      .filter((m) => m.seq > afterSeq)
      .slice(0, limit);
  }
}

export class FakeRoomStore implements RoomStore {
  readonly rooms: Array<Room & { nameKey: string }> = [];
  async page(after: RoomListPosition | undefined, limit: number) {
    const order = (a: RoomListPosition, b: RoomListPosition) =>
      a.nameKey === b.nameKey ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.nameKey < b.nameKey ? -1 : 1;
    return [...this.rooms]
      .sort(order)
      .filter((room) => !after || order(room, after) > 0)
      .slice(0, limit);
  }
  async byId(id: string) {
    return this.rooms.find((room) => room.id === id);
  }
  async bySlug(slug: string) {
    return this.rooms.find((room) => room.slug === slug);
  }
  async byNameKey(nameKey: string) {
    return this.rooms.find((room) => room.nameKey === nameKey);
  }
  async tryCreate(room: Room, nameKey: string) {
    if (this.rooms.some((existing) => existing.slug === room.slug)) return false;
    this.rooms.push({ ...room, nameKey });
    return true;
  }
}

/** Lets every action through: for tests of other things than limits. */
export const unlimited: ActionLimiter = { take: async () => ({ allowed: true }) };

export class FakeMembershipStore implements MembershipStore {
  readonly positions = new Map<string, number>();
  constructor(private readonly messages: FakeMessageStore) {}

  private lastSeq(roomId: string) {
    return this.messages.rows.filter((m) => m.roomId === roomId).length;
  }

  async standings(userId: string): Promise<RoomStanding[]> {
    return [...this.positions]
      .filter(([key]) => key.startsWith(`${userId}/`))
      .map(([key, lastReadSeq]) => {
        const roomId = key.slice(userId.length + 1);
        return { roomId, lastReadSeq, lastSeq: this.lastSeq(roomId) };
      });
  }

  async ensure(userId: string, roomId: string) {
    const key = `${userId}/${roomId}`;
    if (!this.positions.has(key)) this.positions.set(key, this.lastSeq(roomId));
    return this.positions.get(key) ?? 0;
  }

  async markRead(userId: string, roomId: string, seq: number) {
    const key = `${userId}/${roomId}`;
    const next = Math.max(this.positions.get(key) ?? 0, Math.min(seq, this.lastSeq(roomId)));
    this.positions.set(key, next);
    return next;
  }
}

/** A subscriber that keeps every frame it was handed, decoded. */
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
    return this.raw.map((data) => JSON.parse(utf8.decode(data)) as ServerFrame);
  }
  ofType<T extends ServerFrame["type"]>(type: T): Extract<ServerFrame, { type: T }>[] {
    return this.frames.filter((frame): frame is Extract<ServerFrame, { type: T }> => frame.type === type);
  }
}
