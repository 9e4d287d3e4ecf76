import { encodeFrame, type Message, type Room } from "@parley/protocol";
import {
  type BusEvent,
  type ChatMetrics,
  type Clock,
  type EncodedFrame,
  NO_CHAT_METRICS,
  type Subscriber,
} from "./ports.js";
import { REORDER_WAIT_MS, RoomSequencer } from "./room-sequencer.js";

/** Frames that arrived for a room while its snapshot was being read, with their seq if a message. */
interface Held {
  seq: number | undefined;
  data: EncodedFrame;
  /** Set on a message_changed frame: its change sequence. */
  changeSeq?: number;
}

/** A change put in change-sequence order by a RoomSequencer (whose `seq` is the change sequence). */
interface SequencedChange {
  seq: number;
  roomId: string;
  message: Message;
}

interface Subscription {
  subscriber: Subscriber;
  /** Non-null while the subscriber is joining: live frames wait here until the snapshot is out. */
  held: Held[] | null;
}

/**
 * The node's local subscribers per room. Every event the bus hands over is
 * serialised once and handed to each local subscriber of its room.
 */
export class Hub {
  constructor(
    private readonly reorderWaitMs = REORDER_WAIT_MS,
    private readonly metrics: ChatMetrics = NO_CHAT_METRICS,
    private readonly clock: Clock = Date,
  ) {}

  private readonly rooms = new Map<string, Map<string, Subscription>>();
  private readonly everyone = new Map<string, Subscriber>();
  /** Sockets of members not in the room right now: they get `activity`, for unread counts. */
  private readonly watchers = new Map<string, Map<string, Subscriber>>();
  /** Sockets per user, for read positions shared by a user's tabs. */
  private readonly byUser = new Map<string, Map<string, Subscriber>>();
  // --- room settings (admin slice) ---
  /** Rooms known archived (from joins and `room_updated`): sends to them are refused without a read. */
  private readonly archived = new Set<string>();
  /** Rooms deleted while this node ran: sends to them are refused as unknown. */
  private readonly deleted = new Set<string>();
  /** Only rooms with local subscribers are sequenced; the others' messages are not ours to deliver. */
  private readonly sequencers = new Map<string, RoomSequencer>();
  /** Per room, changes (edits, deletions, reactions) in change-sequence order, like messages. */
  private readonly changeSequencers = new Map<string, RoomSequencer<SequencedChange>>();

  connect(subscriber: Subscriber): void {
    this.everyone.set(subscriber.connectionId, subscriber);
    addTo(this.byUser, subscriber.user.id, subscriber);
  }

  disconnect(subscriber: Subscriber): void {
    this.everyone.delete(subscriber.connectionId);
    removeFrom(this.byUser, subscriber.user.id, subscriber);
    for (const roomId of [...this.watchers.keys()]) removeFrom(this.watchers, roomId, subscriber);
  }

  watch(roomId: string, subscriber: Subscriber): void {
    addTo(this.watchers, roomId, subscriber);
  }

  /** Subscribes in holding mode; call `release` once the join snapshot has been sent. */
  subscribe(roomId: string, subscriber: Subscriber): void {
    let room = this.rooms.get(roomId);
    if (!room) {
      room = new Map();
      this.rooms.set(roomId, room);
    }
    room.set(subscriber.connectionId, { subscriber, held: [] });
  }

  /**
   * Delivers what was held back, minus messages the snapshot already carried (seq <= snapshotSeq)
   * and changes it was current to (changeSeq <= snapshotChangeSeq).
   */
  release(roomId: string, subscriber: Subscriber, snapshotSeq: number, snapshotChangeSeq = 0): void {
    const subscription = this.rooms.get(roomId)?.get(subscriber.connectionId);
    if (!subscription?.held) return;
    const held = subscription.held;
    subscription.held = null;
    let delivered = 0;
    for (const frame of held) {
      if (frame.changeSeq !== undefined) {
        if (frame.changeSeq <= snapshotChangeSeq) continue;
        subscriber.deliver(frame.data);
        delivered++;
      } else if (frame.seq === undefined || frame.seq > snapshotSeq) {
        subscriber.deliver(frame.data);
        delivered++;
      }
    }
    if (delivered > 0) this.metrics.delivered(delivered);
  }

  unsubscribe(roomId: string, subscriber: Subscriber): void {
    const room = this.rooms.get(roomId);
    if (!room) return;
    room.delete(subscriber.connectionId);
    if (room.size === 0) {
      this.rooms.delete(roomId);
      this.sequencers.get(roomId)?.dispose();
      this.sequencers.delete(roomId);
      this.changeSequencers.get(roomId)?.dispose();
      this.changeSequencers.delete(roomId);
    }
  }

  /** What a join read of the room says about it being archived. */
  noteRoom(room: Room): void {
    if (room.archived) this.archived.add(room.id);
    else this.archived.delete(room.id);
  }

  isArchived(roomId: string): boolean {
    return this.archived.has(roomId);
  }

  isDeleted(roomId: string): boolean {
    return this.deleted.has(roomId);
  }

  /** True when this person has a socket on this node. */
  hasConnections(userId: string): boolean {
    return this.byUser.has(userId);
  }
  // --- rooms-access ---
  /**
   * The user is no longer a member: their sockets on this node leave the room's fan-out and its
   * unread watch at once, synchronously, so nothing of it reaches them after this returns.
   */
  evict(userId: string, roomId: string): void {
    const sockets = this.byUser.get(userId);
    if (!sockets) return;
    for (const subscriber of sockets.values()) {
      this.unsubscribe(roomId, subscriber);
      removeFrom(this.watchers, roomId, subscriber);
    }
  }

  /**
   * Sockets of this node that belong to the room's members: those in it and those watching it for
   * unread counts (every member's socket watches its rooms).
   */
  private toMembersHere(roomId: string, data: EncodedFrame): void {
    const sockets = new Map<string, Subscriber>();
    for (const { subscriber } of this.rooms.get(roomId)?.values() ?? [])
      sockets.set(subscriber.connectionId, subscriber);
    for (const subscriber of this.watchers.get(roomId)?.values() ?? [])
      sockets.set(subscriber.connectionId, subscriber);
    for (const subscriber of sockets.values()) subscriber.deliver(data);
    this.metrics.delivered(sockets.size);
  }

  private toUser(userId: string, data: EncodedFrame): void {
    const sockets = this.byUser.get(userId);
    if (!sockets) return;
    for (const subscriber of sockets.values()) subscriber.deliver(data);
    this.metrics.delivered(sockets.size);
  }
  // --- end rooms-access ---

  localSubscriberCount(roomId: string): number {
    return this.rooms.get(roomId)?.size ?? 0;
  }

  handle(event: BusEvent): void {
    switch (event.kind) {
      case "message":
        this.sequence(event.message);
        return;
      case "presence":
        this.toRoom(
          event.roomId,
          encodeFrame({ type: "presence", roomId: event.roomId, joined: event.joined, left: event.left }),
          undefined,
        );
        return;
      case "room_created": {
        const data = encodeFrame({ type: "room_created", room: event.room });
        for (const subscriber of this.everyone.values()) subscriber.deliver(data);
        this.metrics.delivered(this.everyone.size);
        return;
      }
      case "room_updated": {
        this.noteRoom(event.room);
        // A private room's or direct conversation's name is for its members only.
        if (event.room.kind === "open")
          this.toEveryone(encodeFrame({ type: "room_updated", room: event.room }));
        else this.toMembersHere(event.room.id, encodeFrame({ type: "room_updated", room: event.room }));
        return;
      }
      case "room_deleted": {
        this.deleted.add(event.roomId);
        this.archived.delete(event.roomId);
        // Only an id: nothing of a private room is told, and every list must drop it.
        this.toEveryone(encodeFrame({ type: "room_deleted", roomId: event.roomId }));
        return;
      }
      // --- rooms-access ---
      case "member_added":
        this.toUser(event.member.id, encodeFrame({ type: "room_added", room: event.room }));
        this.toRoom(
          event.room.id,
          encodeFrame({ type: "room_members", roomId: event.room.id, added: [event.member], removed: [] }),
          undefined,
        );
        return;
      case "member_removed":
        // The sockets were already taken out of the room (RoomMembership, before this): only tell.
        this.toUser(event.userId, encodeFrame({ type: "room_removed", roomId: event.roomId }));
        this.toRoom(
          event.roomId,
          encodeFrame({ type: "room_members", roomId: event.roomId, added: [], removed: [event.userId] }),
          undefined,
        );
        return;
      // --- end rooms-access ---
      case "read": {
        const sockets = this.byUser.get(event.userId);
        if (!sockets) return;
        const data = encodeFrame({ type: "read_position", roomId: event.roomId, seq: event.seq });
        for (const subscriber of sockets.values()) subscriber.deliver(data);
        this.metrics.delivered(sockets.size);
        return;
      }
      // notify slice
      case "typing": {
        // A lone typist is not told of their own typing; a frame naming several goes to all (clients skip themselves).
        const [only, ...others] = event.users;
        this.toRoom(
          event.roomId,
          encodeFrame({ type: "typing", roomId: event.roomId, users: event.users }),
          undefined,
          undefined,
          only && others.length === 0 ? only.id : undefined,
        );
        return;
      }
      case "mention":
        this.toUsers(event.userIds, encodeFrame({ type: "mention", roomId: event.roomId, seq: event.seq }));
        return;
      case "notify":
        this.toUsers(event.userIds, encodeFrame({ type: "notify", notification: event.notification }));
        return;
      case "message_changed":
        this.sequenceChange({ seq: event.changeSeq, roomId: event.roomId, message: event.message });
        return;
      case "levels_changed":
        // Nothing to deliver: the notifier reads the room's levels again (ChatService).
        return;
    }
  }

  private toEveryone(data: EncodedFrame): void {
    for (const subscriber of this.everyone.values()) subscriber.deliver(data);
    this.metrics.delivered(this.everyone.size);
  }

  /** notify slice: one frame to every local socket of these people. */
  private toUsers(userIds: readonly string[], data: EncodedFrame): void {
    let sockets = 0;
    for (const userId of userIds) {
      const group = this.byUser.get(userId);
      if (!group) continue;
      for (const subscriber of group.values()) subscriber.deliver(data);
      sockets += group.size;
    }
    if (sockets > 0) this.metrics.delivered(sockets);
  }

  private sequenceChange(change: SequencedChange): void {
    if (!this.rooms.has(change.roomId)) return;
    let sequencer = this.changeSequencers.get(change.roomId);
    if (!sequencer) {
      sequencer = new RoomSequencer<SequencedChange>((ordered) => {
        const frame = encodeFrame({
          type: "message_changed",
          roomId: ordered.roomId,
          changeSeq: ordered.seq,
          message: ordered.message,
        });
        this.toRoom(ordered.roomId, frame, undefined, ordered.seq);
      }, this.reorderWaitMs);
      this.changeSequencers.set(change.roomId, sequencer);
    }
    sequencer.accept(change);
  }

  private sequence(message: Message): void {
    this.announce(message);
    if (!this.rooms.has(message.roomId)) return;
    let sequencer = this.sequencers.get(message.roomId);
    if (!sequencer) {
      sequencer = new RoomSequencer((ordered) => {
        this.toRoom(ordered.roomId, encodeFrame({ type: "message", message: ordered }), ordered.seq);
        // Once per message per node: the sockets of this room on this node have it now.
        this.metrics.fannedOut(this.clock.now() - ordered.createdAt);
      }, this.reorderWaitMs);
      this.sequencers.set(message.roomId, sequencer);
    }
    sequencer.accept(message);
  }

  /** Tells watching members who are not in the room that it has something new. */
  private announce(message: Message): void {
    const watchers = this.watchers.get(message.roomId);
    if (!watchers) return;
    const inRoom = this.rooms.get(message.roomId);
    let data: EncodedFrame | undefined;
    let sockets = 0;
    for (const subscriber of watchers.values()) {
      if (inRoom?.has(subscriber.connectionId)) continue;
      data ??= encodeFrame({ type: "activity", roomId: message.roomId, seq: message.seq });
      subscriber.deliver(data);
      sockets++;
    }
    if (sockets > 0) this.metrics.delivered(sockets);
  }

  /**
   * `changeSeq`: a message change, held and released by its change sequence. `exceptUserId`: a
   * person who must not get the frame (typing is never echoed to the typist).
   */
  private toRoom(
    roomId: string,
    data: EncodedFrame,
    seq: number | undefined,
    changeSeq?: number,
    exceptUserId?: string,
  ): void {
    const room = this.rooms.get(roomId);
    if (!room) return;
    let sockets = 0;
    for (const subscription of room.values()) {
      if (exceptUserId !== undefined && subscription.subscriber.user.id === exceptUserId) continue;
      if (subscription.held)
        subscription.held.push(changeSeq === undefined ? { seq, data } : { seq, data, changeSeq });
      else {
        subscription.subscriber.deliver(data);
        sockets++;
      }
    }
    if (sockets > 0) this.metrics.delivered(sockets);
  }

  /** Members present in rooms on this node (a user with several tabs in a room counts once). */
  presentMembers(): number {
    let members = 0;
    for (const room of this.rooms.values()) {
      const users = new Set<string>();
      for (const { subscriber } of room.values()) users.add(subscriber.user.id);
      members += users.size;
    }
    return members;
  }
}

function addTo(index: Map<string, Map<string, Subscriber>>, key: string, subscriber: Subscriber): void {
  let group = index.get(key);
  if (!group) {
    group = new Map();
    index.set(key, group);
  }
  group.set(subscriber.connectionId, subscriber);
}

function removeFrom(index: Map<string, Map<string, Subscriber>>, key: string, subscriber: Subscriber): void {
  const group = index.get(key);
  if (!group) return;
  group.delete(subscriber.connectionId);
  if (group.size === 0) index.delete(key);
}
