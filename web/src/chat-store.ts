import {
  type ClientFrame,
  type ErrorFrame,
  type JoinedFrame,
  MAX_MESSAGE_LENGTH,
  type Member,
  type Message,
  type Room,
  type ServerFrame,
} from "@parley/protocol";
import * as api from "./api.js";
import { Connection, type ConnectionStatus, socketUrl } from "./connection.js";
import { applyPresence, type ChatMessage, highestServerSeq, mergeMessages } from "./messages.js";
import { newClientId, Outbox, type OutboxEntry } from "./outbox.js";

export interface RoomState {
  readonly messages: readonly ChatMessage[];
  readonly members: readonly Member[];
  readonly hasOlder: boolean;
  /** A `joined` has arrived at least once, so `messages` reaches the newest and `hasOlder` is known. */
  readonly loaded: boolean;
  readonly loadingOlder: boolean;
  /** The latest refusal or failure for this room, shown under the composer. */
  readonly error: string | null;
}

/**
 * Where the user stands in a member room. `lastReadSeq` is what this tab knows was read: the
 * server's position, or further when this tab has shown newer messages and not yet told it.
 */
export interface RoomUnread {
  readonly lastSeq: number;
  readonly lastReadSeq: number;
}

/** Unread messages in a room; exact, since seqs have no gaps. */
export function unreadCount(unread: RoomUnread | undefined): number {
  return unread ? Math.max(0, unread.lastSeq - unread.lastReadSeq) : 0;
}

export function totalUnread(unread: Readonly<Record<string, RoomUnread>>): number {
  let total = 0;
  for (const room of Object.values(unread)) total += unreadCount(room);
  return total;
}

export const EMPTY_ROOM: RoomState = {
  messages: [],
  members: [],
  hasOlder: false,
  loaded: false,
  loadingOlder: false,
  error: null,
};

export type RouteState =
  | { readonly slug: string; readonly status: "loading" }
  | { readonly slug: string; readonly status: "found"; readonly roomId: string }
  | { readonly slug: string; readonly status: "missing" }
  | { readonly slug: string; readonly status: "error"; readonly message: string };

export interface ChatState {
  readonly me: Member | null;
  readonly status: ConnectionStatus;
  readonly rooms: readonly Room[];
  readonly roomStates: Readonly<Record<string, RoomState>>;
  /** Only rooms the user is a member of; the others have nothing to count. */
  readonly unread: Readonly<Record<string, RoomUnread>>;
  readonly outbox: readonly OutboxEntry[];
  readonly route: RouteState | null;
  /** Why the app could not start, while it keeps retrying. */
  readonly startupError: string | null;
}

const STARTUP_RETRY_MS = 3000;
/** After a failed history fetch, scrolling at the top must not turn into a request storm. */
const OLDER_RETRY_MS = 5000;
/** Reads are batched: scrolling through a busy room must not send a frame per message. */
const READ_DELAY_MS = 250;

/** Whether the server has answered our join on this socket; sends must wait for that. */
interface Membership {
  joined: boolean;
}

/**
 * The whole client state and the one place that talks to the socket. Components read it
 * through useChat and call its methods; nothing else touches the connection or the outbox.
 */
export class ChatStore {
  private state: ChatState = {
    me: null,
    status: "connecting",
    rooms: [],
    roomStates: {},
    unread: {},
    outbox: [],
    route: null,
    startupError: null,
  };
  private readonly listeners = new Set<() => void>();
  private connection: Connection | null = null;
  private outbox: Outbox | null = null;
  private started = false;
  /** A socket has said hello before: the next hello is a reconnect. */
  private greeted = false;
  private readonly olderRetryAfter = new Map<string, number>();

  // Reset on every new socket: the server forgets all of this when a socket closes. Joins and
  // leaves are answered later, and the user may switch rooms faster than answers arrive, so
  // expected answers are counted rather than assumed to match the latest wish.
  private readonly memberships = new Map<string, Membership>();
  private readonly pendingJoins = new Map<string, number>();
  private readonly pendingLeaves = new Map<string, number>();
  private readonly sentOnThisSocket = new Set<string>();
  /** Rooms whose join was refused on this socket; not retried until the user acts. */
  private readonly refusedRooms = new Set<string>();
  /** Read positions sent on this socket, so each is sent once. */
  private readonly sentReads = new Map<string, number>();

  /** The read position the server last reported per room (it only moves forward). */
  private readonly serverReads = new Map<string, number>();
  /** The newest seq this tab has shown the user per room, the position `read` reports. */
  private readonly seen = new Map<string, number>();
  private readTimer: number | undefined;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getState = (): ChatState => this.state;

  /** Idempotent, so React's double-invoked effects cannot open a second socket. */
  start(): void {
    if (this.started) return;
    this.started = true;
    void this.boot();
  }

  openSlug(slug: string): void {
    if (this.state.route?.slug === slug && this.state.route.status !== "error") return;
    const room = this.state.rooms.find((candidate) => candidate.slug === slug);
    if (room) this.showRoom(slug, room);
    else {
      this.set({ route: { slug, status: "loading" } });
      void this.resolveRoute();
    }
    this.syncMemberships();
  }

  retryRoute(): void {
    const route = this.state.route;
    if (!route) return;
    this.set({ route: { slug: route.slug, status: "loading" } });
    void this.resolveRoute();
  }

  /** Queues a message. Returns a reason when the message is refused locally. */
  send(roomId: string, text: string): string | null {
    const body = text.trim();
    if (body.length === 0) return "Type a message first.";
    if (body.length > MAX_MESSAGE_LENGTH) {
      return `Messages can be at most ${MAX_MESSAGE_LENGTH} characters (this one has ${body.length}).`;
    }
    if (!this.outbox) return "Still starting up; try again in a moment.";
    this.refusedRooms.delete(roomId);
    this.patchRoom(roomId, (room) => ({ ...room, error: null }));
    this.outbox.add({ clientId: newClientId(), roomId, body, createdAt: Date.now(), state: "pending" });
    return null;
  }

  retry(clientId: string): void {
    const entry = this.outbox?.find(clientId);
    if (!entry) return;
    this.sentOnThisSocket.delete(clientId);
    this.refusedRooms.delete(entry.roomId);
    this.patchRoom(entry.roomId, (room) => ({ ...room, error: null }));
    this.outbox?.markPending(clientId);
  }

  discard(clientId: string): void {
    this.outbox?.remove(new Set([clientId]));
  }

  /**
   * The message list of `roomId` is scrolled to the bottom and shows messages up to `seq`.
   * Counts as read only while that room is on screen in a visible tab.
   */
  markSeen(roomId: string, seq: number): void {
    if (roomId !== this.activeRoomId() || document.visibilityState !== "visible") return;
    this.noteSeen(roomId, seq);
  }

  async loadOlder(roomId: string): Promise<void> {
    const room = this.state.roomStates[roomId];
    if (!room?.loaded || !room.hasOlder || room.loadingOlder) return;
    if (Date.now() < (this.olderRetryAfter.get(roomId) ?? 0)) return;
    const before = room.messages[0]?.seq;
    if (before === undefined) return;
    this.patchRoom(roomId, (current) => ({ ...current, loadingOlder: true }));
    try {
      const page = await api.olderMessages(roomId, before);
      this.settleOutbox(page.messages);
      this.patchRoom(roomId, (current) => ({
        ...current,
        messages: mergeMessages(current.messages, page.messages),
        hasOlder: page.hasOlder,
        loadingOlder: false,
      }));
    } catch (err) {
      this.olderRetryAfter.set(roomId, Date.now() + OLDER_RETRY_MS);
      this.patchRoom(roomId, (current) => ({
        ...current,
        loadingOlder: false,
        error: `Could not load older messages: ${api.describeError(err)}`,
      }));
    }
  }

  async createRoom(name: string): Promise<Room> {
    const room = await api.createRoom(name);
    this.addRoom(room);
    return room;
  }

  async signOut(): Promise<void> {
    try {
      await api.signOut();
    } catch (err) {
      // Already signed out is the outcome we wanted anyway.
      if (!(err instanceof api.ApiError && err.status === 401)) throw err;
    }
    this.connection?.stop();
    this.outbox?.dispose();
    window.location.assign("/signin");
  }

  private async boot(): Promise<void> {
    try {
      const [me, rooms] = await Promise.all([api.getMe(), api.listRooms()]);
      this.outbox = new Outbox(me.id, () => this.onOutboxChanged());
      this.set({ me, rooms, outbox: this.outbox.list(), startupError: null });
    } catch (err) {
      this.set({ startupError: `Could not load Parley: ${api.describeError(err)}` });
      window.setTimeout(() => void this.boot(), STARTUP_RETRY_MS);
      return;
    }
    this.connection = new Connection(socketUrl(), {
      onFrame: (frame) => this.onFrame(frame),
      onStatus: (status) => this.onStatus(status),
      onUnauthorized: () => void api.redirectToSignIn(),
      // A 401 here redirects to sign-in; any other failure just means the server is away.
      onDroppedBeforeHello: () => void api.getMe().catch(() => undefined),
    });
    this.connection.start();
    void this.resolveRoute();
  }

  private async resolveRoute(): Promise<void> {
    const route = this.state.route;
    if (route?.status !== "loading" || !this.state.me) return;
    const { slug } = route;
    let room = this.state.rooms.find((candidate) => candidate.slug === slug) ?? null;
    if (!room) {
      try {
        room = await api.roomBySlug(slug);
      } catch (err) {
        if (this.state.route?.slug === slug) {
          this.set({ route: { slug, status: "error", message: api.describeError(err) } });
        }
        return;
      }
    }
    // The user may have moved to another room while this one was being looked up.
    if (this.state.route?.slug !== slug) return;
    if (room) this.showRoom(slug, room);
    else this.set({ route: { slug, status: "missing" } });
    this.syncMemberships();
  }

  private showRoom(slug: string, room: Room): void {
    this.addRoom(room);
    this.set({ route: { slug, status: "found", roomId: room.id } });
  }

  private activeRoomId(): string | null {
    const route = this.state.route;
    return route?.status === "found" ? route.roomId : null;
  }

  /** The rooms this client must be in: the one on screen, plus any with messages waiting to go out. */
  private desiredRooms(): Set<string> {
    const rooms = new Set<string>();
    const active = this.activeRoomId();
    if (active) rooms.add(active);
    for (const entry of this.state.outbox) {
      if (entry.state === "pending" && !this.refusedRooms.has(entry.roomId)) rooms.add(entry.roomId);
    }
    return rooms;
  }

  private syncMemberships(): void {
    const connection = this.connection;
    if (!connection || this.state.status !== "connected") return;
    const desired = this.desiredRooms();
    for (const roomId of desired) {
      if (this.memberships.has(roomId)) continue;
      const room = this.state.roomStates[roomId];
      // Resume from what we hold so the server sends only what was missed.
      const since = room?.loaded ? highestServerSeq(room.messages) : undefined;
      const frame: ClientFrame =
        since === undefined ? { type: "join", roomId } : { type: "join", roomId, since };
      if (!connection.send(frame)) return;
      this.memberships.set(roomId, { joined: false });
      increment(this.pendingJoins, roomId);
    }
    for (const roomId of [...this.memberships.keys()]) {
      if (desired.has(roomId)) continue;
      this.memberships.delete(roomId);
      if (connection.send({ type: "leave", roomId })) increment(this.pendingLeaves, roomId);
    }
  }

  /** Sends every pending message whose room is joined, in outbox order, once per socket. */
  private flush(): void {
    const connection = this.connection;
    if (!connection || this.state.status !== "connected") return;
    for (const entry of this.state.outbox) {
      if (entry.state !== "pending" || this.sentOnThisSocket.has(entry.clientId)) continue;
      if (!this.memberships.get(entry.roomId)?.joined) continue;
      const sent = connection.send({
        type: "send",
        roomId: entry.roomId,
        clientId: entry.clientId,
        body: entry.body,
      });
      if (!sent) return;
      this.sentOnThisSocket.add(entry.clientId);
    }
  }

  private onOutboxChanged(): void {
    if (!this.outbox) return;
    this.set({ outbox: this.outbox.list() });
    this.syncMemberships();
    this.flush();
  }

  private onStatus(status: ConnectionStatus): void {
    if (status !== "connected") this.forgetSocket();
    this.set({ status });
  }

  private forgetSocket(): void {
    this.memberships.clear();
    this.pendingJoins.clear();
    this.pendingLeaves.clear();
    this.sentOnThisSocket.clear();
    this.refusedRooms.clear();
    this.sentReads.clear();
  }

  private onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case "hello":
        if (this.state.me && this.state.me.id !== frame.user.id) {
          // Another tab signed in as someone else; everything held here belongs to the old user.
          window.location.reload();
          return;
        }
        this.forgetSocket();
        this.set({ me: frame.user });
        this.syncMemberships();
        // room_created frames sent while this tab was away are lost; ask for the list again.
        if (this.greeted) void this.refreshRooms();
        this.greeted = true;
        return;
      case "joined":
        this.onJoined(frame);
        return;
      case "left":
        if (decrement(this.pendingLeaves, frame.roomId)) return;
        // Not an answer to our leave: the server removed us, so stop treating the room as joined.
        this.memberships.delete(frame.roomId);
        return;
      case "message":
        this.onMessage(frame.message);
        return;
      case "presence":
        this.patchRoom(frame.roomId, (room) => ({
          ...room,
          members: applyPresence(room.members, frame.joined, frame.left),
        }));
        return;
      case "ack":
        this.onAck(frame.roomId, frame.clientId, frame.seq);
        return;
      case "room_created":
        this.addRoom(frame.room);
        return;
      case "unread_state":
        for (const room of frame.rooms) {
          this.updateUnread(room.roomId, {
            lastSeq: room.lastSeq,
            serverRead: room.lastReadSeq,
            create: true,
          });
        }
        // Reads this tab could not send while disconnected go out now.
        this.scheduleReads();
        return;
      case "activity":
        this.updateUnread(frame.roomId, { lastSeq: frame.seq });
        return;
      case "read_position":
        this.updateUnread(frame.roomId, { serverRead: frame.seq, create: true });
        return;
      case "error":
        this.onError(frame);
        return;
    }
  }

  private onJoined(frame: JoinedFrame): void {
    const roomId = frame.room.id;
    this.addRoom(frame.room);
    const membership = this.memberships.get(roomId);
    // Only the answer to the latest join makes the room usable for sends.
    const answersLatestJoin = decrement(this.pendingJoins, roomId) && !this.pendingJoins.has(roomId);
    if (membership && answersLatestJoin) membership.joined = true;
    // Joining makes the user a member: from now on the room has an unread count.
    this.updateUnread(roomId, {
      lastSeq: frame.messages.at(-1)?.seq ?? 0,
      serverRead: frame.lastReadSeq,
      create: true,
    });
    this.settleOutbox(frame.messages);
    this.patchRoom(roomId, (room) => {
      const held = room.loaded ? highestServerSeq(room.messages) : undefined;
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
    });
    this.flush();
  }

  private onMessage(message: Message): void {
    this.settleOutbox([message]);
    const room = this.state.roomStates[message.roomId] ?? EMPTY_ROOM;
    const held = room.loaded ? highestServerSeq(room.messages) : undefined;
    if (held !== undefined && message.seq > held + 1) this.resync(message.roomId, held);
    this.updateUnread(message.roomId, { lastSeq: message.seq });
    this.patchRoom(message.roomId, (current) => ({
      ...current,
      messages: mergeMessages(current.messages, [message]),
    }));
  }

  /** A seq jumped: something was missed. Joining again with `since` makes the server send it. */
  private resync(roomId: string, since: number): void {
    const membership = this.memberships.get(roomId);
    if (!membership?.joined || this.pendingJoins.has(roomId)) return;
    if (this.connection?.send({ type: "join", roomId, since })) increment(this.pendingJoins, roomId);
  }

  private onAck(roomId: string, clientId: string, seq: number): void {
    const entry = this.outbox?.find(clientId);
    const me = this.state.me;
    if (!entry || !me || entry.roomId !== roomId) return;
    // Show it as sent right away; the broadcast copy, when it comes, replaces this one by seq.
    const committed: ChatMessage = {
      roomId,
      seq,
      clientId,
      author: me,
      body: entry.body,
      createdAt: entry.createdAt,
      local: true,
    };
    this.updateUnread(roomId, { lastSeq: seq });
    // The user wrote it and saw it go out as pending: their own message is not news to them,
    // unless unread messages from others come before it.
    const unread = this.state.unread[roomId];
    if (unread && unread.lastReadSeq >= seq - 1) this.noteSeen(roomId, seq);
    this.patchRoom(roomId, (room) => ({ ...room, messages: mergeMessages(room.messages, [committed]) }));
    this.outbox?.remove(new Set([clientId]));
  }

  private noteSeen(roomId: string, seq: number): void {
    if (seq <= (this.seen.get(roomId) ?? 0)) return;
    this.seen.set(roomId, seq);
    this.updateUnread(roomId, {});
    this.scheduleReads();
  }

  /**
   * Raises what is known of a room's standing; both positions only ever move forward. Rooms
   * without a standing are not member rooms and get one only from a source that knows both.
   */
  private updateUnread(
    roomId: string,
    { lastSeq, serverRead, create = false }: { lastSeq?: number; serverRead?: number; create?: boolean },
  ): void {
    const current = this.state.unread[roomId];
    if (!current && !create) return;
    if (serverRead !== undefined && serverRead > (this.serverReads.get(roomId) ?? -1)) {
      this.serverReads.set(roomId, serverRead);
    }
    const lastReadSeq = Math.max(
      current?.lastReadSeq ?? 0,
      this.serverReads.get(roomId) ?? 0,
      this.seen.get(roomId) ?? 0,
    );
    const next = { lastSeq: Math.max(current?.lastSeq ?? 0, lastSeq ?? 0, lastReadSeq), lastReadSeq };
    if (current && current.lastSeq === next.lastSeq && current.lastReadSeq === next.lastReadSeq) return;
    this.set({ unread: { ...this.state.unread, [roomId]: next } });
  }

  private scheduleReads(): void {
    if (this.readTimer !== undefined) return;
    this.readTimer = window.setTimeout(() => {
      this.readTimer = undefined;
      this.sendReads();
    }, READ_DELAY_MS);
  }

  /** Tells the server of every position this tab has seen past what the server already has. */
  private sendReads(): void {
    const connection = this.connection;
    if (!connection || this.state.status !== "connected") return;
    for (const [roomId, seq] of this.seen) {
      if (seq <= (this.serverReads.get(roomId) ?? -1) || seq <= (this.sentReads.get(roomId) ?? -1)) continue;
      if (!connection.send({ type: "read", roomId, seq })) return;
      this.sentReads.set(roomId, seq);
    }
  }

  private onError(frame: ErrorFrame): void {
    const entry = frame.clientId ? this.outbox?.find(frame.clientId) : undefined;
    const roomId = entry?.roomId ?? frame.roomId ?? this.activeRoomId();
    if (!roomId) {
      console.warn("Server error", frame);
      return;
    }
    this.patchRoom(roomId, (room) => ({ ...room, error: frame.message }));
    if (frame.code === "not_in_room") {
      // Our idea of membership was wrong; join again so a retry can go through.
      this.memberships.delete(roomId);
      this.pendingJoins.delete(roomId);
    }
    if (entry) {
      this.outbox?.markFailed(new Set([entry.clientId]), frame.message);
      return;
    }
    if (frame.code === "unknown_room" && frame.roomId) {
      // The join was refused; messages queued for that room can never go out on their own.
      this.memberships.delete(roomId);
      this.pendingJoins.delete(roomId);
      this.refusedRooms.add(roomId);
      const stuck = this.state.outbox.filter(
        (queued) => queued.roomId === roomId && queued.state === "pending",
      );
      if (stuck.length > 0)
        this.outbox?.markFailed(new Set(stuck.map((queued) => queued.clientId)), frame.message);
    }
    this.syncMemberships();
  }

  /** Our own messages seen committed leave the outbox, however we learned of them. */
  private settleOutbox(messages: readonly Message[]): void {
    const me = this.state.me;
    if (!me || !this.outbox) return;
    const done = new Set(
      messages.filter((message) => message.author.id === me.id).map((message) => message.clientId),
    );
    if (done.size > 0) this.outbox.remove(done);
  }

  private async refreshRooms(): Promise<void> {
    try {
      for (const room of await api.listRooms()) this.addRoom(room);
    } catch {
      // The socket's room_created frames keep the list current; this was only a catch-up.
    }
  }

  private addRoom(room: Room): void {
    const index = this.state.rooms.findIndex((candidate) => candidate.id === room.id);
    if (index === -1) {
      this.set({ rooms: [...this.state.rooms, room] });
      return;
    }
    const existing = this.state.rooms[index];
    if (existing && existing.name === room.name && existing.slug === room.slug) return;
    this.set({ rooms: this.state.rooms.map((candidate) => (candidate.id === room.id ? room : candidate)) });
  }

  private patchRoom(roomId: string, change: (room: RoomState) => RoomState): void {
    const current = this.state.roomStates[roomId] ?? EMPTY_ROOM;
    const next = change(current);
    if (next === current) return;
    this.set({ roomStates: { ...this.state.roomStates, [roomId]: next } });
  }

  private set(patch: Partial<ChatState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
  }
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** Consumes one expected answer; false when none was expected. */
function decrement(counts: Map<string, number>, key: string): boolean {
  const count = counts.get(key);
  if (count === undefined) return false;
  if (count <= 1) counts.delete(key);
  else counts.set(key, count - 1);
  return true;
}

export const chatStore = new ChatStore();
