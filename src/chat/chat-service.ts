import { randomUUID } from "node:crypto";
import type { HistoryPage, Member, Room } from "../protocol/index.js";
import { HISTORY_PAGE_SIZE } from "../protocol/index.js";
import { MAX_MESSAGE_BYTES_PER_PAGE, newestWithin } from "./frame-budget.js";
import { Hub } from "./hub.js";
import { Participant } from "./participant.js";
import type {
  Bus,
  Clock,
  MembershipStore,
  MessageStore,
  PresenceStore,
  RoomStore,
  Subscriber,
} from "./ports.js";
import { PresenceBatcher } from "./presence-batcher.js";
import { slugCandidate, slugify } from "./slug.js";
import { DependencyUnavailableError, isDependencyUnavailable } from "./unavailable.js";

export interface ChatDependencies {
  messages: MessageStore;
  rooms: RoomStore;
  presence: PresenceStore;
  memberships: MembershipStore;
  bus: Bus;
  clock: Clock;
}

export const DEFAULT_ROOM_NAME = "general";
const MAX_SLUG_ATTEMPTS = 50;

export class RoomNotFoundError extends Error {}

/** The chat use cases of one node. Adapters call it; it knows no socket, HTTP or SQL. */
export class ChatService {
  readonly hub = new Hub();
  private readonly presenceChanges: PresenceBatcher;

  constructor(
    readonly deps: ChatDependencies,
    presenceBatchMs?: number,
  ) {
    this.presenceChanges = new PresenceBatcher(deps.bus, presenceBatchMs);
    deps.bus.subscribe((event) => this.hub.handle(event));
  }

  /** A connected client; the gateway calls its methods for each frame and on close. */
  participant(subscriber: Subscriber): Participant {
    return new Participant(subscriber, this.deps, this.hub, this.presenceChanges);
  }

  /** Members the presence store found gone (their node died): tell the room. */
  membersVanished(roomId: string, userIds: string[]): void {
    for (const userId of userIds) this.presenceChanges.left(roomId, userId);
  }

  /** Sends any presence change still gathered; call before shutting down. */
  flushPresence(): Promise<void> {
    return this.presenceChanges.flush();
  }

  listRooms(): Promise<Room[]> {
    return this.deps.rooms.list();
  }

  roomBySlug(slug: string): Promise<Room | undefined> {
    return this.deps.rooms.bySlug(slug);
  }

  /** Creates a room with a unique slug derived from its name, and tells every node. */
  async createRoom(name: string): Promise<Room> {
    // Every node must hear of the room; refuse rather than make one the others never announce.
    if (!this.deps.bus.available) throw new DependencyUnavailableError("message bus");
    const base = slugify(name);
    for (let attempt = 0; attempt < MAX_SLUG_ATTEMPTS; attempt++) {
      const room: Room = {
        id: randomUUID(),
        slug: slugCandidate(base, attempt),
        name: name.trim(),
        createdAt: this.deps.clock.now(),
      };
      if (await this.deps.rooms.tryCreate(room)) {
        // Created: an announcement lost to an outage is made good by the room list on the next load.
        await this.deps.bus.publish({ kind: "room_created", room }).catch((error: unknown) => {
          if (!isDependencyUnavailable(error)) throw error;
        });
        return room;
      }
    }
    throw new Error(`no free slug for "${base}" after ${MAX_SLUG_ATTEMPTS} attempts`);
  }

  /** Makes sure the default room exists; safe to call on every start and from every node. */
  async ensureDefaultRoom(): Promise<void> {
    if (await this.deps.rooms.bySlug(DEFAULT_ROOM_NAME)) return;
    await this.deps.rooms.tryCreate({
      id: randomUUID(),
      slug: DEFAULT_ROOM_NAME,
      name: DEFAULT_ROOM_NAME,
      createdAt: this.deps.clock.now(),
    });
  }

  /** A page of history older than `before` (or the newest page), by keyset on the room sequence. */
  async history(roomId: string, before: number | undefined, limit = HISTORY_PAGE_SIZE): Promise<HistoryPage> {
    if (!(await this.deps.rooms.byId(roomId))) throw new RoomNotFoundError(roomId);
    const page =
      before === undefined
        ? await this.deps.messages.latest(roomId, limit + 1)
        : await this.deps.messages.before(roomId, before, limit + 1);
    // Capped in bytes too: the newest of the page that fit; the client asks for the rest with `before`.
    const newest = newestWithin(page.length > limit ? page.slice(1) : page, MAX_MESSAGE_BYTES_PER_PAGE);
    return { messages: newest.messages, hasOlder: page.length > limit || newest.trimmed };
  }

  members(roomId: string): Promise<Member[]> {
    return this.deps.presence.members(roomId);
  }
}
