import {
  defaultNotificationLevel,
  type Message,
  type NotificationLevel,
  type NotificationLevelResponse,
  type Room,
} from "@parley/protocol";
import type { NotifyDependencies, RoomStore } from "./ports.js";
import type { RoomAccess } from "./room-access.js";

/** The room does not exist or the person may not read it: the same answer for both (no probing). */
export class RoomNotReadableError extends Error {}

/** The mentions and notification levels a person asks for; every read goes through `access`. */
export class NotifyService {
  constructor(
    private readonly deps: NotifyDependencies,
    private readonly rooms: RoomStore,
    private readonly access: RoomAccess,
    /** Told after a level is stored: the notifiers of every node read the room's levels again. */
    private readonly levelChanged: (roomId: string) => Promise<void> = async () => undefined,
  ) {}

  /** The person's newest mentions, in rooms they may still read, newest first. */
  async recentMentions(userId: string, limit: number): Promise<Array<{ room: Room; message: Message }>> {
    const readable = await this.access.readableRoomIds(userId);
    const messages = await this.deps.mentions.recent(userId, readable, limit);
    const rooms = new Map<string, Room | undefined>();
    const result: Array<{ room: Room; message: Message }> = [];
    for (const message of messages) {
      if (!rooms.has(message.roomId)) rooms.set(message.roomId, await this.rooms.byId(message.roomId));
      const room = rooms.get(message.roomId);
      if (room) result.push({ room, message });
    }
    return result;
  }

  async level(userId: string, roomId: string): Promise<NotificationLevelResponse> {
    const room = await this.readable(userId, roomId);
    const chosen = await this.deps.levels.get(userId, roomId);
    return chosen === undefined
      ? { level: defaultNotificationLevel(room.kind), isDefault: true }
      : { level: chosen, isDefault: false };
  }

  async setLevel(
    userId: string,
    roomId: string,
    level: NotificationLevel,
  ): Promise<NotificationLevelResponse> {
    await this.readable(userId, roomId);
    await this.deps.levels.set(userId, roomId, level);
    await this.levelChanged(roomId);
    return { level, isDefault: false };
  }

  private async readable(userId: string, roomId: string): Promise<Room> {
    const room = await this.rooms.byId(roomId);
    if (!room || !(await this.access.canRead(userId, roomId))) throw new RoomNotReadableError(roomId);
    return room;
  }
}
