import type { Member } from "@parley/protocol";
import type { PresenceStore } from "../chat/ports.js";

interface Presence {
  member: Member;
  connections: Set<string>;
}

/** Presence of a single node: who is in each room, with the connections that keep them there. */
export class InMemoryPresence implements PresenceStore {
  private readonly rooms = new Map<string, Map<string, Presence>>();

  /** One node's presence dies with its node: nobody ever vanishes without a `remove`. */
  onVanished(): void {}

  async add(roomId: string, member: Member, connectionId: string): Promise<boolean> {
    let room = this.rooms.get(roomId);
    if (!room) {
      room = new Map();
      this.rooms.set(roomId, room);
    }
    const present = room.get(member.id);
    if (present) {
      present.member = member;
      present.connections.add(connectionId);
      return false;
    }
    room.set(member.id, { member, connections: new Set([connectionId]) });
    return true;
  }

  async remove(roomId: string, userId: string, connectionId: string): Promise<boolean> {
    const room = this.rooms.get(roomId);
    const present = room?.get(userId);
    if (!room || !present?.connections.delete(connectionId)) return false;
    if (present.connections.size > 0) return false;
    room.delete(userId);
    if (room.size === 0) this.rooms.delete(roomId);
    return true;
  }

  async members(roomId: string): Promise<Member[]> {
    return [...(this.rooms.get(roomId)?.values() ?? [])].map((presence) => presence.member);
  }
}
