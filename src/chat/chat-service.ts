import { randomBytes, randomUUID } from "node:crypto";
import type { HistoryPage, Member, Room } from "@parley/protocol";
import { DEFAULT_ROOM_SLUG, HISTORY_PAGE_SIZE, toPage } from "@parley/protocol";
import type { RoomListFilter } from "./administration-ports.js";
import { MAX_MESSAGE_BYTES_PER_PAGE, newestWithin } from "./frame-budget.js";
import { Hub } from "./hub.js";
import { MemberListEncoder } from "./member-list-encoder.js";
import { MessageEditor } from "./message-editor.js";
import { MessageNotifier } from "./message-notifier.js";
import { NotifyService } from "./notify-service.js";
import { type HelloExtras, Participant } from "./participant.js";
import {
  allMessageChangeHooks,
  type ChatDependencies,
  type MessageChangeHooks,
  NO_MESSAGE_CHANGE_HOOKS,
  type Subscriber,
} from "./ports.js";
import { PresenceBatcher } from "./presence-batcher.js";
import { RoomAccess } from "./room-access.js";
import { decodeRoomCursor, encodeRoomCursor } from "./room-cursor.js";
import { RoomMembership } from "./room-membership.js";
import { normalRoomName, roomNameKey } from "./room-name.js";
import { slugCandidate, slugify } from "./slug.js";
import { TypingBatcher } from "./typing-batcher.js";
import { DependencyUnavailableError, isDependencyUnavailable } from "./unavailable.js";

/** The domain's waits; production defaults live beside the code that waits. */
export interface ChatTimings {
  /** Presence changes of a room gathered into one frame. */
  presenceBatchMs: number;
  /** How long a missing sequence number is waited for before delivering past it. */
  reorderWaitMs: number;
  /** Rooms the access cache keeps (DEFAULT_ACCESS_CACHE_ROOMS). Not a wait, but tuned with them. */
  accessCacheRooms: number;
  /** notify slice: typing notices of a room gathered into one frame. */
  typingBatchMs: number;
}

export const DEFAULT_ROOM_NAME = DEFAULT_ROOM_SLUG;
/** Five numbered slugs, then random suffixes: running out would take 2^32-fold bad luck. */
const MAX_SLUG_ATTEMPTS = 20;

export class RoomNotFoundError extends Error {}

/** What asking for a new room came to. */
export type CreateRoomResult =
  | { kind: "created"; room: Room }
  /** A room with the same name (ignoring case, surrounding space and Unicode form) exists. */
  | { kind: "name_taken"; room: Room }
  /** The person created as many rooms as a day allows. */
  | { kind: "rate_limited"; retryAfterMs: number };

/** One page of the room list; `nextCursor` is null on the last page. */
export interface RoomListPage {
  rooms: Room[];
  nextCursor: string | null;
}

export class InvalidCursorError extends Error {}

/** The chat use cases of one node. Adapters call it; it knows no socket, HTTP or SQL. */
export class ChatService {
  readonly hub: Hub;
  /** Who may read which room; every read path asks it. */
  readonly access: RoomAccess;
  /** Joining, leaving, inviting, removing, direct conversations and the people directory. */
  readonly membership: RoomMembership;
  private readonly presenceChanges: PresenceBatcher;
  /** The member list of `joined`, each member encoded once rather than once per joiner. */
  private readonly memberList = new MemberListEncoder();
  /** notify slice: mentions and notifications; undefined when their ports were not given. */
  readonly notifier: MessageNotifier | undefined;
  /** notify slice: members, recent mentions and notification levels for the REST routes. */
  readonly notify: NotifyService | undefined;
  private readonly typingNotices: TypingBatcher;
  /** Where stored messages change (edits, deletions, reactions); see MessageEditor. */
  readonly editor: MessageEditor;

  constructor(
    readonly deps: ChatDependencies,
    timings: Partial<ChatTimings> = {},
  ) {
    this.hub = new Hub(timings.reorderWaitMs, deps.metrics, deps.clock);
    this.access = new RoomAccess(deps.rooms, deps.memberships, timings.accessCacheRooms);
    this.membership = new RoomMembership(deps, this.access, this.hub);
    this.presenceChanges = new PresenceBatcher(deps.bus, timings.presenceBatchMs, (roomId) =>
      this.hub.localSubscriberCount(roomId),
    );
    this.notifier = deps.notify && new MessageNotifier(deps.notify, deps.presence, deps.bus, this.access);
    // An edit re-reads whom a message mentions (without notifying again); a deletion forgets them.
    const notifier = this.notifier;
    const mentionHooks: MessageChangeHooks = notifier
      ? {
          edited: (message) => notifier.edited(message),
          deleted: (message) => notifier.deleted(message.roomId, message.seq),
        }
      : NO_MESSAGE_CHANGE_HOOKS;
    this.editor = new MessageEditor(
      {
        ...deps,
        changeHooks: allMessageChangeHooks(mentionHooks, deps.changeHooks ?? NO_MESSAGE_CHANGE_HOOKS),
      },
      this.access,
    );
    this.notify =
      deps.notify &&
      new NotifyService(deps.notify, deps.rooms, this.access, async (roomId) => {
        // This node at once (a send right after the change must see it), the others over the bus.
        this.notifier?.forgetLevels(roomId);
        // The level is stored: with the bus away, other nodes read it again within LEVELS_MAX_AGE_MS.
        await deps.bus.publish({ kind: "levels_changed", roomId }).catch((error: unknown) => {
          if (!isDependencyUnavailable(error)) throw error;
        });
      });
    this.typingNotices = new TypingBatcher(deps.bus, timings.typingBatchMs);
    deps.bus.subscribe((event) => {
      // Membership first: a removed person's sockets leave the room before anything else is delivered.
      this.membership.handle(event);
      // A deleted room is read again on its next check, and found gone; a changed one, as it is now.
      if (event.kind === "room_deleted") this.access.forget(event.roomId);
      if (event.kind === "room_updated") this.access.forget(event.room.id);
      // Whom notifications reach follows the levels people choose, on every node.
      if (event.kind === "room_deleted") this.notifier?.forgetLevels(event.roomId);
      if (event.kind === "levels_changed") this.notifier?.forgetLevels(event.roomId);
      this.hub.handle(event);
    });
    deps.presence.onVanished((roomId, userIds) => this.membersVanished(roomId, userIds));
  }

  /** A connected client; the gateway calls its methods for each frame and on close. */
  participant(subscriber: Subscriber, hello: HelloExtras = {}): Participant {
    const participant = new Participant(
      subscriber,
      this.deps,
      this.hub,
      this.presenceChanges,
      this.memberList,
      this.access,
      this.editor,
      (p) => this.membership.disconnected(p),
      hello,
      this.notifier,
      this.typingNotices,
    );
    this.membership.connected(participant);
    return participant;
  }

  /** Members the presence store found gone (their node died): tell the room. */
  membersVanished(roomId: string, userIds: string[]): void {
    for (const userId of userIds) this.presenceChanges.left(roomId, userId);
  }

  /** Sends any presence change still gathered; call before shutting down. */
  flushPresence(): Promise<void> {
    return this.presenceChanges.flush();
  }

  /** A page of rooms in name order after `cursor` (a `nextCursor` given before); throws InvalidCursorError. */
  async listRooms(
    cursor: string | undefined,
    limit: number,
    filter: RoomListFilter = "active",
  ): Promise<RoomListPage> {
    const after = cursor === undefined ? undefined : decodeRoomCursor(cursor);
    if (cursor !== undefined && !after)
      throw new InvalidCursorError("The cursor is not one this server gave out.");
    // One more than asked tells whether another page follows, without a count query.
    const rows = await this.deps.rooms.page(after, limit + 1, filter);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      rooms: page.map(({ nameKey: _nameKey, ...room }) => room),
      nextCursor:
        rows.length > limit && last ? encodeRoomCursor({ nameKey: last.nameKey, id: last.id }) : null,
    };
  }

  /** The room with this slug, if the user may read it (else undefined, as for no room at all). */
  async roomBySlug(userId: string, slug: string): Promise<Room | undefined> {
    const room = await this.deps.rooms.bySlug(slug);
    if (!room || !(await this.access.canRead(userId, room.id))) return undefined;
    return this.membership.withPeople(room);
  }

  /**
   * Creates a room with a unique slug derived from its name, and tells every node; unless the
   * name is taken or the creator used up the day's rooms. Two people creating the same new name
   * at the same instant can both succeed (each gets its own slug): the name check is a read, not
   * a unique index, so rooms that existed before it need no clean-up.
   */
  async createRoom(
    requestedName: string,
    creatorId: string,
    kind: "open" | "private" = "open",
  ): Promise<CreateRoomResult> {
    // Every node must hear of the room; refuse rather than make one the others never announce.
    if (!this.deps.bus.available) throw new DependencyUnavailableError("message bus");
    const name = normalRoomName(requestedName);
    const nameKey = roomNameKey(name);
    // Only open rooms' names are unique: saying a private room's name is taken would reveal it.
    const existing = kind === "open" ? await this.deps.rooms.byNameKey(nameKey) : undefined;
    if (existing) return { kind: "name_taken", room: existing };
    const allowance = await this.deps.limits.roomCreations.take(creatorId);
    if (!allowance.allowed) return { kind: "rate_limited", retryAfterMs: allowance.retryAfterMs };
    // A private room's slug always ends in random hex: a taken slug ("-2") must not reveal it.
    const base = kind === "open" ? slugify(name) : `${slugify(name)}-${randomBytes(4).toString("hex")}`;
    for (let attempt = 0; attempt < MAX_SLUG_ATTEMPTS; attempt++) {
      const room: Room = {
        id: randomUUID(),
        slug: slugCandidate(base, attempt),
        name,
        createdAt: this.deps.clock.now(),
        kind,
        createdBy: creatorId,
      };
      if (await this.deps.rooms.tryCreate(room, nameKey)) {
        const creator = (await this.deps.users.profiles([creatorId]))[0];
        if (creator) await this.deps.memberships.add(creatorId, room.id);
        // Created: an announcement lost to an outage is made good by the room list on the next load.
        const announce = async (event: Parameters<typeof this.deps.bus.publish>[0]) =>
          this.deps.bus.publish(event).catch((error: unknown) => {
            if (!isDependencyUnavailable(error)) throw error;
          });
        // Only an open room is announced to everyone; a private one only to its creator's tabs.
        if (kind === "open") await announce({ kind: "room_created", room });
        if (creator) await announce({ kind: "member_added", room, member: creator });
        return { kind: "created", room };
      }
    }
    throw new Error(`no free slug for "${base}" after ${MAX_SLUG_ATTEMPTS} attempts`);
  }

  /** Makes sure the default room exists; safe to call on every start and from every node. */
  async ensureDefaultRoom(): Promise<void> {
    if (await this.deps.rooms.bySlug(DEFAULT_ROOM_NAME)) return;
    await this.deps.rooms.tryCreate(
      {
        id: randomUUID(),
        slug: DEFAULT_ROOM_NAME,
        name: DEFAULT_ROOM_NAME,
        createdAt: this.deps.clock.now(),
        kind: "open",
        createdBy: null,
      },
      roomNameKey(DEFAULT_ROOM_NAME),
    );
  }

  /** A page of history older than `before` (or the newest page), by keyset on the room sequence. */
  async history(
    userId: string,
    roomId: string,
    before: number | undefined,
    limit = HISTORY_PAGE_SIZE,
  ): Promise<HistoryPage> {
    // A room the user may not read is answered as one that does not exist.
    if (!(await this.access.canRead(userId, roomId))) throw new RoomNotFoundError(roomId);
    const page =
      before === undefined
        ? await this.deps.messages.latest(roomId, limit + 1)
        : await this.deps.messages.before(roomId, before, limit + 1);
    // Capped in bytes too: the newest of the page that fit; the client asks for the rest with `before`.
    const newest = newestWithin(page.length > limit ? page.slice(1) : page, MAX_MESSAGE_BYTES_PER_PAGE);
    return { ...toPage(newest.messages), hasOlder: page.length > limit || newest.trimmed };
  }

  /**
   * "Open a room at a message" (edits, issue 15 part A): up to `limit` messages before `around`,
   * that message, and up to `limit` after it. Asks RoomAccess: a room the user may not read is
   * answered like one that does not exist.
   */
  async historyAround(
    userId: string,
    roomId: string,
    around: number,
    limit = HISTORY_PAGE_SIZE,
  ): Promise<HistoryPage> {
    if (!(await this.access.canRead(userId, roomId))) throw new RoomNotFoundError(roomId);
    const older = await this.deps.messages.before(roomId, around, limit + 1);
    const newer = await this.deps.messages.after(roomId, around - 1, limit + 2);
    const messages = [...(older.length > limit ? older.slice(1) : older), ...newer.slice(0, limit + 1)];
    return { ...toPage(messages), hasOlder: older.length > limit, hasNewer: newer.length > limit + 1 };
  }

  members(roomId: string): Promise<Member[]> {
    return this.deps.presence.members(roomId);
  }
}
