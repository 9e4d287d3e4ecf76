import {
  type ClientFrame,
  type ErrorFrame,
  expandPage,
  type JoinedFrame,
  MAX_MESSAGE_LENGTH,
  type Member,
  type Message,
  type Room,
  type ServerFrame,
} from "@parley/protocol";
import { Connection, type ConnectionStatus } from "./connection.js";
import { ApiError, type ChatApi, createChatApi, problemOf } from "./http-api.js";
import { Memberships } from "./memberships.js";
import { applyPresence, type ChatMessage, mergeMessages } from "./messages.js";
import { bytesFrom, newClientId, Outbox, type OutboxEntry } from "./outbox.js";
import type { Clock, HttpFetch, KeyValueStorage, OpenSocket, PageControl, Random } from "./ports.js";
import { CLIENT_CODES, clientProblem, type Problem, problemFromFrame } from "./problem.js";
import { applyJoined, EMPTY_ROOM, type RoomState, roomCursor, withRoom } from "./rooms.js";
import type { RouteState } from "./routing.js";
import { SearchSession } from "./search.js";
import { ReadTracker, type RoomUnread, type UnreadUpdate } from "./unread.js";

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
  readonly startupError: Problem | null;
}

export interface ChatCoreDeps {
  readonly openSocket: OpenSocket;
  readonly clock: Clock;
  readonly storage: KeyValueStorage;
  readonly http: HttpFetch;
  readonly page: PageControl;
  readonly random: Random;
  /** Random bytes for clientIds (crypto.getRandomValues in the browser); from `random` when absent. */
  readonly randomBytes?: (count: number) => Uint8Array;
  readonly warn?: (message: string) => void;
}

export const STARTUP_RETRY_MS = 3000;
/** After a failed history fetch, scrolling at the top must not turn into a request storm. */
export const OLDER_RETRY_MS = 5000;
/** Reads are batched: scrolling through a busy room must not send a frame per message. */
export const READ_DELAY_MS = 250;
/** `rate_limited` must carry retryAfter; should one come without, this is the wait. */
export const RATE_LIMIT_FALLBACK_MS = 2000;

/**
 * The client: the one place that talks to the socket and the REST API, owns the outbox, the
 * rooms and the read positions, and publishes one immutable ChatState. Runs in the browser
 * (through web/src/browser-ports.ts) and in Node (tests); a UI reads `getState` after each
 * `subscribe` call and calls the methods below, nothing else.
 */
export class ChatCore {
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
  private readonly api: ChatApi;
  private readonly connection: Connection;
  private outbox: Outbox | null = null;
  private started = false;
  private stopped = false;
  /** A socket has said hello before: the next hello is a reconnect. */
  private greeted = false;
  private readonly olderRetryAfter = new Map<string, number>();
  /** Rooms a caller asked to keep joined besides the one on screen (a test client, a notifier). */
  private readonly watched = new Set<string>();
  private readonly memberships = new Memberships();
  /** Rooms whose join was rate-limited: not asked for again before this time. */
  private readonly joinNotBefore = new Map<string, number>();
  /** Sends written to the current socket; each pending message goes once per socket. */
  private readonly sentOnThisSocket = new Set<string>();
  private readonly reads = new ReadTracker();
  private cancelReadTimer: (() => void) | undefined;
  /** One timer for the earliest rate-limited message; re-armed as the outbox changes. */
  private cancelWaitTimer: (() => void) | undefined;
  private cancelBootTimer: (() => void) | undefined;
  private readonly randomBytes: (count: number) => Uint8Array;
  private readonly warn: (message: string) => void;
  /** The search panel's state (issue 16); its own store, so typing a query never re-renders the chat. */
  readonly search: SearchSession;

  constructor(private readonly deps: ChatCoreDeps) {
    this.randomBytes = deps.randomBytes ?? bytesFrom(deps.random);
    this.warn = deps.warn ?? (() => undefined);
    this.api = createChatApi(deps.http, deps.clock, () => deps.page.toSignIn());
    this.search = new SearchSession(this.api, deps.clock);
    this.connection = new Connection(deps.openSocket, deps.clock, deps.random, {
      onFrame: (frame) => this.onFrame(frame),
      onStatus: (status) => this.onStatus(status),
      onUnauthorized: () => deps.page.toSignIn(),
      onDroppedBeforeHello: () => void this.checkSession(),
      onInvalidFrame: (problem) => this.warn(`Ignoring ${problem}`),
    });
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getState = (): ChatState => this.state;

  /** Sockets opened after the first one. */
  get reconnects(): number {
    return this.connection.reconnects;
  }

  /** Idempotent, so React's double-invoked effects cannot open a second socket. */
  start(): void {
    if (this.started) return;
    this.started = true;
    void this.boot();
  }

  /** Closes the socket and cancels every timer; the outbox stays in storage. */
  stop(): void {
    this.stopped = true;
    this.connection.stop();
    this.outbox?.dispose();
    this.cancelReadTimer?.();
    this.cancelWaitTimer?.();
    this.cancelBootTimer?.();
  }

  /** The network came back (the browser's `online` event). */
  networkUp(): void {
    this.connection.reconnectNow();
  }

  /** The network is gone (the browser's `offline` event). */
  networkDown(): void {
    this.connection.dropNow();
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

  /** Keeps `roomId` joined (and resumed after every reconnect) whether or not it is on screen. */
  watchRoom(roomId: string): void {
    this.watched.add(roomId);
    this.syncMemberships();
  }

  /** Queues a message. Returns the problem when the message is refused locally. */
  send(roomId: string, text: string): Problem | null {
    const body = text.trim();
    if (body.length === 0) return clientProblem(CLIENT_CODES.messageEmpty);
    if (body.length > MAX_MESSAGE_LENGTH) {
      return clientProblem(CLIENT_CODES.messageTooLong, { max: MAX_MESSAGE_LENGTH, length: body.length });
    }
    if (!this.outbox) return clientProblem(CLIENT_CODES.notReady);
    this.clearRefusal(roomId);
    this.outbox.add({
      clientId: newClientId(this.randomBytes),
      roomId,
      body,
      createdAt: this.deps.clock.now(),
      state: "pending",
    });
    return null;
  }

  /** A new attempt in a room: it may be joined again, and its last refusal no longer shows. */
  private clearRefusal(roomId: string): void {
    this.memberships.allow(roomId);
    this.patchRoom(roomId, (room) => ({ ...room, error: null }));
  }

  retry(clientId: string): void {
    const entry = this.outbox?.find(clientId);
    if (!entry) return;
    this.sentOnThisSocket.delete(clientId);
    this.clearRefusal(entry.roomId);
    this.outbox?.markPending(clientId);
  }

  discard(clientId: string): void {
    this.outbox?.remove(new Set([clientId]));
  }

  /**
   * The message list of `roomId` is scrolled to the bottom and shows messages up to `seq`.
   * Counts as read only while that room is on screen in a visible page.
   */
  markSeen(roomId: string, seq: number): void {
    if (roomId !== this.activeRoomId() || !this.deps.page.isVisible()) return;
    this.noteSeen(roomId, seq);
  }

  async loadOlder(roomId: string): Promise<void> {
    const room = this.state.roomStates[roomId];
    if (!room?.loaded || !room.hasOlder || room.loadingOlder) return;
    if (this.deps.clock.now() < (this.olderRetryAfter.get(roomId) ?? 0)) return;
    const before = room.messages[0]?.seq;
    if (before === undefined) return;
    this.patchRoom(roomId, (current) => ({ ...current, loadingOlder: true }));
    try {
      const page = await this.api.olderMessages(roomId, before);
      this.settleOutbox(page.messages);
      this.patchRoom(roomId, (current) => ({
        ...current,
        messages: mergeMessages(current.messages, page.messages),
        hasOlder: page.hasOlder,
        loadingOlder: false,
      }));
    } catch (err) {
      this.olderRetryAfter.set(roomId, this.deps.clock.now() + OLDER_RETRY_MS);
      this.patchRoom(roomId, (current) => ({
        ...current,
        loadingOlder: false,
        error: { during: "load_older", problem: problemOf(err) },
      }));
    }
  }

  async createRoom(name: string): Promise<Room> {
    const room = await this.api.createRoom(name);
    this.addRoom(room);
    return room;
  }

  async signOut(): Promise<void> {
    await this.api.signOut();
    this.stop();
    this.deps.page.signedOut();
  }

  private async boot(): Promise<void> {
    if (this.stopped) return;
    try {
      const [me, rooms] = await Promise.all([this.api.getMe(), this.api.listRooms()]);
      if (this.stopped) return;
      this.outbox = new Outbox(me.id, this.deps.storage, () => this.onOutboxChanged(), this.warn);
      this.set({ me, rooms, outbox: this.outbox.list(), startupError: null });
    } catch (err) {
      this.set({ startupError: problemOf(err) });
      const hint = err instanceof ApiError ? err.retryAfterMs : undefined;
      this.cancelBootTimer = this.deps.clock.setTimeout(
        () => void this.boot(),
        Math.max(STARTUP_RETRY_MS, hint ?? 0),
      );
      return;
    }
    this.connection.start();
    void this.resolveRoute();
  }

  /** A socket died before hello: a 401 sends the user to sign-in; a Retry-After delays the next try. */
  private async checkSession(): Promise<void> {
    try {
      await this.api.getMe();
    } catch (err) {
      if (err instanceof ApiError && err.retryAfterMs !== undefined) {
        this.connection.honourRetryHint(err.retryAfterMs);
      }
      // Anything else just means the server is away; the connection keeps trying.
    }
  }

  private async resolveRoute(): Promise<void> {
    const route = this.state.route;
    if (route?.status !== "loading" || !this.state.me) return;
    const { slug } = route;
    let room = this.state.rooms.find((candidate) => candidate.slug === slug) ?? null;
    if (!room) {
      try {
        room = await this.api.roomBySlug(slug);
      } catch (err) {
        if (this.state.route?.slug === slug) {
          this.set({ route: { slug, status: "error", problem: problemOf(err) } });
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

  /** The rooms this client must be in: the one on screen, the watched ones, and any with messages waiting. */
  private desiredRooms(): Set<string> {
    const rooms = new Set<string>(this.watched);
    const active = this.activeRoomId();
    if (active) rooms.add(active);
    for (const entry of this.state.outbox) {
      if (entry.state === "pending") rooms.add(entry.roomId);
    }
    const now = this.deps.clock.now();
    for (const roomId of rooms) {
      if (this.memberships.isRefused(roomId) || (this.joinNotBefore.get(roomId) ?? 0) > now)
        rooms.delete(roomId);
    }
    return rooms;
  }

  private syncMemberships(): void {
    if (this.state.status !== "connected") return;
    const desired = this.desiredRooms();
    for (const roomId of desired) {
      if (this.memberships.has(roomId)) continue;
      // Resume from what we hold so the server sends only what was missed.
      const since = roomCursor(this.state.roomStates[roomId]);
      const frame: ClientFrame =
        since === undefined ? { type: "join", roomId } : { type: "join", roomId, since };
      if (!this.connection.send(frame)) return;
      this.memberships.joinSent(roomId);
    }
    for (const roomId of this.memberships.asked()) {
      if (desired.has(roomId)) continue;
      this.memberships.leaveSent(roomId, this.connection.send({ type: "leave", roomId }));
    }
  }

  /**
   * Sends every pending message whose room is joined, in outbox order, once per socket. A
   * message told to wait (rate_limited) holds back the later ones of its room, so they keep
   * their order.
   */
  private flush(): void {
    if (this.state.status !== "connected") return;
    const now = this.deps.clock.now();
    const waitingRooms = new Set<string>();
    for (const entry of this.state.outbox) {
      if (entry.state !== "pending" || this.sentOnThisSocket.has(entry.clientId)) continue;
      if (waitingRooms.has(entry.roomId)) continue;
      if (entry.notBefore !== undefined && entry.notBefore > now) {
        waitingRooms.add(entry.roomId);
        continue;
      }
      if (!this.memberships.isJoined(entry.roomId)) continue;
      const sent = this.connection.send({
        type: "send",
        roomId: entry.roomId,
        clientId: entry.clientId,
        body: entry.body,
      });
      if (!sent) return;
      this.sentOnThisSocket.add(entry.clientId);
    }
  }

  /** Wakes the flush when the earliest waiting message may go again. */
  private armWaitTimer(): void {
    this.cancelWaitTimer?.();
    this.cancelWaitTimer = undefined;
    if (this.stopped) return;
    const now = this.deps.clock.now();
    let earliest: number | undefined;
    for (const entry of this.state.outbox) {
      // A wait already over needs no timer: the flush that follows a change sends it.
      if (entry.state !== "pending" || entry.notBefore === undefined || entry.notBefore <= now) continue;
      if (earliest === undefined || entry.notBefore < earliest) earliest = entry.notBefore;
    }
    if (earliest === undefined) return;
    const wait = earliest - now;
    this.cancelWaitTimer = this.deps.clock.setTimeout(() => {
      this.cancelWaitTimer = undefined;
      this.flush();
      this.armWaitTimer();
    }, wait);
  }

  private onOutboxChanged(): void {
    if (!this.outbox) return;
    this.set({ outbox: this.outbox.list() });
    this.syncMemberships();
    this.flush();
    this.armWaitTimer();
  }

  private onStatus(status: ConnectionStatus): void {
    if (status !== "connected") this.forgetSocket();
    this.set({ status });
  }

  private forgetSocket(): void {
    this.memberships.reset();
    this.sentOnThisSocket.clear();
    this.reads.forgetSent();
  }

  private onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case "hello":
        if (this.state.me && this.state.me.id !== frame.user.id) {
          // Another tab signed in as someone else; everything held here belongs to the old user.
          this.deps.page.reload();
          return;
        }
        this.forgetSocket();
        this.set({ me: frame.user });
        this.syncMemberships();
        // room_created frames sent while this client was away are lost; ask for the list again.
        if (this.greeted) void this.refreshRooms();
        this.greeted = true;
        return;
      case "joined":
        this.onJoined(frame);
        return;
      case "left":
        this.memberships.onLeft(frame.roomId);
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
        // Reads this client could not send while disconnected go out now.
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

  private onJoined(received: JoinedFrame): void {
    // Parsing checked every authorId against `users`, so this cannot throw.
    const frame = expandPage(received);
    const roomId = frame.room.id;
    this.addRoom(frame.room);
    this.memberships.onJoined(roomId);
    // Joining makes the user a member: from now on the room has an unread count.
    this.updateUnread(roomId, {
      lastSeq: frame.messages.at(-1)?.seq ?? 0,
      serverRead: frame.lastReadSeq,
      create: true,
    });
    this.settleOutbox(frame.messages);
    this.patchRoom(roomId, (room) => applyJoined(room, frame));
    this.flush();
  }

  private onMessage(message: Message): void {
    this.settleOutbox([message]);
    const held = roomCursor(this.state.roomStates[message.roomId]);
    if (held !== undefined && message.seq > held + 1) this.resync(message.roomId, held);
    this.updateUnread(message.roomId, { lastSeq: message.seq });
    this.patchRoom(message.roomId, (current) => ({
      ...current,
      messages: mergeMessages(current.messages, [message]),
    }));
  }

  /** A seq jumped: something was missed. Joining again with `since` makes the server send it. */
  private resync(roomId: string, since: number): void {
    if (!this.memberships.isJoined(roomId) || this.memberships.isJoinPending(roomId)) return;
    if (this.connection.send({ type: "join", roomId, since })) this.memberships.resyncSent(roomId);
  }

  private onAck(roomId: string, clientId: string, seq: number): void {
    const entry = this.outbox?.find(clientId);
    const me = this.state.me;
    // A late or repeated ack (the broadcast copy already settled it) changes nothing.
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
    if (!this.reads.noteSeen(roomId, seq)) return;
    this.set({ unread: this.reads.unread });
    this.scheduleReads();
  }

  private updateUnread(roomId: string, update: UnreadUpdate): void {
    if (this.reads.update(roomId, update)) this.set({ unread: this.reads.unread });
  }

  private scheduleReads(): void {
    if (this.cancelReadTimer !== undefined || this.stopped) return;
    this.cancelReadTimer = this.deps.clock.setTimeout(() => {
      this.cancelReadTimer = undefined;
      this.sendReads();
    }, READ_DELAY_MS);
  }

  /** Tells the server of every position this client has seen past what the server already has. */
  private sendReads(): void {
    if (this.state.status !== "connected") return;
    for (const { roomId, seq } of this.reads.readsToSend()) {
      if (!this.connection.send({ type: "read", roomId, seq })) return;
      this.reads.markSent(roomId, seq);
    }
  }

  private onError(frame: ErrorFrame): void {
    const entry = frame.clientId ? this.outbox?.find(frame.clientId) : undefined;
    if (entry) {
      this.onSendRefused(entry, frame);
      return;
    }
    const roomId = frame.roomId ?? this.activeRoomId();
    if (!roomId) {
      this.warn(`Server error: ${frame.code}: ${frame.message}`);
      return;
    }
    if (frame.code === "rate_limited") {
      // A join (or read) was refused for now: ask again once the server's wait is over.
      this.memberships.forget(roomId);
      const wait = frame.retryAfter ?? RATE_LIMIT_FALLBACK_MS;
      this.joinNotBefore.set(roomId, this.deps.clock.now() + wait);
      this.deps.clock.setTimeout(() => {
        if (!this.stopped) this.syncMemberships();
      }, wait);
      return;
    }
    const problem = problemFromFrame(frame);
    this.patchRoom(roomId, (room) => ({ ...room, error: { during: "room", problem } }));
    if (frame.code === "not_in_room") this.memberships.forget(roomId);
    if (frame.code === "unknown_room" && frame.roomId) {
      // The join was refused; messages queued for that room can never go out on their own.
      this.memberships.refuse(roomId);
      const stuck = this.state.outbox.filter(
        (queued) => queued.roomId === roomId && queued.state === "pending",
      );
      if (stuck.length > 0) this.outbox?.markFailed(new Set(stuck.map((queued) => queued.clientId)), problem);
    }
    this.syncMemberships();
  }

  /** A refusal of one of our sends: wait and resend, resend under a new id, or fail it for the user. */
  private onSendRefused(entry: OutboxEntry, frame: ErrorFrame): void {
    const outbox = this.outbox;
    if (!outbox) return;
    // Whatever happens next, this send is no longer in flight on this socket.
    this.sentOnThisSocket.delete(entry.clientId);
    switch (frame.code) {
      case "rate_limited":
        // Never dropped: it stays queued and goes again once the server's wait is over.
        outbox.delay(entry.clientId, this.deps.clock.now() + (frame.retryAfter ?? RATE_LIMIT_FALLBACK_MS));
        return;
      case "unavailable":
        // With a hint the outage is expected to pass: wait and resend. Without one, the user decides.
        if (frame.retryAfter !== undefined) {
          outbox.delay(entry.clientId, this.deps.clock.now() + frame.retryAfter);
          return;
        }
        break;
      case "client_id_conflict":
        // The id was taken by another message: this one has not been stored, so a new id is safe.
        outbox.renew(entry.clientId, newClientId(this.randomBytes));
        return;
    }
    const problem = problemFromFrame(frame);
    this.patchRoom(entry.roomId, (room) => ({ ...room, error: { during: "send", problem } }));
    // Our idea of membership was wrong; join again so a retry can go through.
    if (frame.code === "not_in_room") this.memberships.forget(entry.roomId);
    // Marking it failed changes the outbox, whose listener syncs memberships.
    outbox.markFailed(new Set([entry.clientId]), problem);
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
      for (const room of await this.api.listRooms()) this.addRoom(room);
    } catch {
      // The socket's room_created frames keep the list current; this was only a catch-up.
    }
  }

  private addRoom(room: Room): void {
    const rooms = withRoom(this.state.rooms, room);
    if (rooms !== this.state.rooms) this.set({ rooms });
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
