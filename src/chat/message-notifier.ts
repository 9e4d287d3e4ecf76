import {
  bodyExcerpt,
  defaultNotificationLevel,
  findMentions,
  MAX_UNREAD_MENTIONS_PER_ROOM,
  type Member,
  type Message,
  mentionIndex,
  messagePath,
  NOTIFICATION_EXCERPT_LENGTH,
  type Notification,
  type NotificationLevel,
  type NotificationReason,
  type Room,
  roomWideMention,
} from "@parley/protocol";
import { ForgettableCache } from "./forgettable-cache.js";
import type { Bus, NotifyDependencies, PresenceStore } from "./ports.js";
import type { RoomAccess } from "./room-access.js";

/** Rooms whose chosen notification levels one node keeps in memory. */
const CACHED_ROOMS = 10_000;
/** Levels are read again after this long: bounds a change whose bus event was lost to an outage. */
const LEVELS_MAX_AGE_MS = 60_000;

/** The body on one line, cut to a notification's length. */
export function excerpt(body: string): string {
  return bodyExcerpt(body.replace(/\s+/g, " ").trim(), NOTIFICATION_EXCERPT_LENGTH);
}

/**
 * Whether a person is notified of a message, by their level in the room: the matrix of decision
 * 0037. `mentioned` includes `@here`/`@room`; `direct` is a direct conversation.
 */
export function notificationReason(
  level: NotificationLevel,
  mentioned: boolean,
  direct: boolean,
): NotificationReason | undefined {
  if (level === "nothing") return undefined;
  if (mentioned) return "mention";
  if (level === "everything") return direct ? "direct" : "everything";
  return undefined;
}

/** Why a send with `@here`/`@room` is refused before it is stored, or undefined when it may go. */
export type RoomWideRefusal = { max: number; members: number; mention: string };

/**
 * After a message is committed: resolves whom it mentions (stored per person, announced live for
 * badges), then tells every person their notification level says to tell (a `notify` frame to
 * their open tabs, a Web Push to their devices). Runs after the sender's ack, so it never slows a send.
 */
export class MessageNotifier {
  // A send reads no levels on this node once the room is known (the bus forgets them on change);
  // the room itself comes from RoomAccess's cache.
  private readonly levels = new ForgettableCache<ReadonlyMap<string, NotificationLevel>>(
    CACHED_ROOMS,
    LEVELS_MAX_AGE_MS,
  );

  constructor(
    private readonly deps: NotifyDependencies,
    private readonly presence: PresenceStore,
    private readonly bus: Bus,
    private readonly access: RoomAccess,
  ) {}

  /** Checked before storing: `@here`/`@room` is off, or the room is larger than it may reach. */
  async refuseRoomWide(roomId: string, body: string): Promise<RoomWideRefusal | undefined> {
    if (!body.includes("@")) return undefined;
    const mention = roomWideMention(body);
    if (!mention) return undefined;
    const max = this.deps.settings.roomMentionMaxMembers;
    const members = max === 0 ? 0 : await this.deps.members.count(roomId);
    return max === 0 || members > max ? { max, members, mention: `@${mention}` } : undefined;
  }

  /** Mention badges of a person on connect: the unread mention seqs per room. */
  async unreadMentions(userId: string): Promise<Array<{ roomId: string; seqs: number[] }>> {
    const rooms = await this.deps.mentions.unread(userId, MAX_UNREAD_MENTIONS_PER_ROOM);
    // A room the person may no longer read (removed from a private room) shows no badge.
    const readable: Array<{ roomId: string; seqs: number[] }> = [];
    for (const room of rooms) if (await this.access.canRead(userId, room.roomId)) readable.push(room);
    return readable;
  }

  /**
   * For the `edits` slice's hooks: a deleted message mentions nobody any more; an edited one is
   * resolved again (new mentions get a badge; nobody is notified again of an edit).
   */
  async deleted(roomId: string, seq: number): Promise<void> {
    await this.deps.mentions.forget(roomId, seq);
  }

  async edited(message: Message): Promise<void> {
    await this.deps.mentions.forget(message.roomId, message.seq);
    let members: Member[] | undefined;
    const mentioned = await this.resolveMentions(message, async () => {
      members ??= await this.deps.members.members(message.roomId);
      return members;
    });
    if (mentioned.size === 0) return;
    const userIds = [...mentioned];
    await this.deps.mentions.record(message.roomId, message.seq, userIds, message.createdAt);
    await this.bus.publish({ kind: "mention", roomId: message.roomId, seq: message.seq, userIds });
  }

  /** Someone chose another notification level in the room (on any node). */
  forgetLevels(roomId: string): void {
    this.levels.forget(roomId);
  }

  async stored(message: Message): Promise<void> {
    const room = await this.access.room(message.roomId);
    if (!room) return;
    let members: Member[] | undefined;
    const roomMembers = async () => {
      members ??= await this.deps.members.members(message.roomId);
      return members;
    };
    const mentioned = await this.resolveMentions(message, roomMembers);
    if (mentioned.size > 0) {
      const userIds = [...mentioned];
      await this.deps.mentions.record(message.roomId, message.seq, userIds, message.createdAt);
      await this.bus.publish({ kind: "mention", roomId: message.roomId, seq: message.seq, userIds });
    }
    await this.notify(message, room, mentioned, roomMembers);
  }

  /** The people a message mentions, the author never among them. */
  private async resolveMentions(
    message: Message,
    roomMembers: () => Promise<Member[]>,
  ): Promise<Set<string>> {
    const mentioned = new Set<string>();
    if (!message.body.includes("@")) return mentioned;
    const members = await roomMembers();
    for (const mention of findMentions(message.body, mentionIndex(members))) {
      if (mention.kind === "person") mentioned.add(mention.userId);
      else if (mention.kind === "room") for (const member of members) mentioned.add(member.id);
      else for (const member of await this.presence.members(message.roomId)) mentioned.add(member.id);
    }
    // A room-wide mention that got past the check (the room grew meanwhile) still names only members.
    mentioned.delete(message.author.id);
    return mentioned;
  }

  private async notify(
    message: Message,
    room: Room,
    mentioned: ReadonlySet<string>,
    roomMembers: () => Promise<Member[]>,
  ): Promise<void> {
    const direct = room.kind === "direct";
    const fallback = defaultNotificationLevel(room.kind);
    const chosen =
      (await this.levels.get(message.roomId, () => this.deps.levels.inRoom(message.roomId))) ?? new Map();
    const levelOf = (userId: string) => chosen.get(userId) ?? fallback;
    // Who could be told: the mentioned, those who chose everything, and everyone when that is the default.
    const candidates = new Set<string>(mentioned);
    for (const [userId, level] of chosen) if (level === "everything") candidates.add(userId);
    if (fallback === "everything") for (const member of await roomMembers()) candidates.add(member.id);
    candidates.delete(message.author.id);

    const byReason = new Map<NotificationReason, string[]>();
    for (const userId of candidates) {
      const reason = notificationReason(levelOf(userId), mentioned.has(userId), direct);
      if (!reason || !(await this.access.canRead(userId, message.roomId))) continue;
      const group = byReason.get(reason) ?? [];
      group.push(userId);
      byReason.set(reason, group);
    }
    for (const [reason, userIds] of byReason) {
      const notification: Notification = {
        roomId: message.roomId,
        seq: message.seq,
        roomName: room.name,
        author: message.author,
        excerpt: excerpt(message.body),
        reason,
        url: messagePath(room.slug, message.seq),
      };
      await this.bus.publish({ kind: "notify", userIds, notification });
      await this.deps.push.send(userIds, {
        title: direct ? notification.author.name : `${notification.author.name} · #${room.name}`,
        body: notification.excerpt,
        url: notification.url,
        tag: `${message.roomId}:${message.seq}`,
      });
    }
  }
}
