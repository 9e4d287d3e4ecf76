import {
  type Attachment,
  type ClientFrame,
  type DeleteFrame,
  type EditFrame,
  type ErrorFrame,
  expandPage,
  type JoinedFrame,
  MAX_MESSAGE_LENGTH,
  type Member,
  type Message,
  type MessageChangedFrame,
  messageBodyProblem,
  type NotificationLevel,
  type NotificationLevelResponse,
  type PresenceStatus,
  type Profile,
  type PushSubscriptionBody,
  type ReactFrame,
  type ReplyPreview,
  type Role,
  type Room,
  type RoomCreationPolicy,
  replyExcerpt,
  type ServerFrame,
  type UpdateRoomBody,
} from "@parley/protocol";
import { Connection, type ConnectionStatus } from "./connection.js";
import { ApiError, type ChatApi, createChatApi, problemOf } from "./http-api.js";
import { Memberships } from "./memberships.js";
import { MentionTracker } from "./mentions.js";
import { applyPresence, type ChatMessage, mayEdit, mergeMessages } from "./messages.js";
import { bytesFrom, newClientId, Outbox, type OutboxEntry } from "./outbox.js";
import type {
  Clock,
  HttpFetch,
  KeyValueStorage,
  OpenSocket,
  PageControl,
  Random,
  ShowNotification,
} from "./ports.js";
import { CLIENT_CODES, clientProblem, type Problem, problemFromFrame } from "./problem.js";
import {
  applyJoined,
  EMPTY_ROOM,
  type RoomState,
  roomCursor,
  settleFocus,
  withChanges,
  withoutRoom,
  withRoom,
} from "./rooms.js";
import type { RouteState } from "./routing.js";
import { SearchSession } from "./search.js";
import { TypingTracker } from "./typing.js";
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
  // --- administration (admin slice) ---
  /** Whether the signed-in person is an administrator (null until known). */
  readonly role: Role | null;
  // --- rooms-access ---
  /** Ids of the rooms the user is a member of (the sidebar); `rooms` also holds open rooms to browse. */
  readonly memberships: readonly string[];
  /** Member lists (not who is here now) of the rooms whose list was asked for, kept live. */
  readonly rosters: Readonly<Record<string, readonly Member[]>>;
  // --- end rooms-access ---
  // notify slice
  /** Who is typing per room (never this user). */
  readonly typing: Readonly<Record<string, readonly Member[]>>;
  /** Seqs of messages mentioning this user that may be unread, per room (see mentionCount). */
  readonly mentions: Readonly<Record<string, readonly number[]>>;
  /** Members of rooms, once asked for (autocomplete). */
  readonly roomMembers: Readonly<Record<string, readonly Member[]>>;
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
  /** The IANA time zone of this device, reported for the profile card's local time. */
  readonly timeZone?: () => string | undefined;
  /** notify slice: shows a system notification; called only while the page is hidden. */
  readonly showNotification?: ShowNotification;
}

export const STARTUP_RETRY_MS = 3000;
/** Most people one status request names (the server's limit). */
export const MAX_STATUS_IDS = 100;
/** How often a visible member list refreshes presence status (online, away). */
export const STATUS_REFRESH_MS = 30_000;
/** After a failed history fetch, scrolling at the top must not turn into a request storm. */
export const OLDER_RETRY_MS = 5000;
/** Reads are batched: scrolling through a busy room must not send a frame per message. */
export const READ_DELAY_MS = 250;
/** `rate_limited` must carry retryAfter; should one come without, this is the wait. */
export const RATE_LIMIT_FALLBACK_MS = 2000;
/** Pages of a member list loaded for the member panel (50 each); past it, the list says "and more". */
const MAX_ROSTER_PAGES = 5;
/** Reads of a member list that changed while it was read, before the last one is kept anyway. */
const MAX_ROSTER_READS = 3;
/** notify slice: a room's member list (autocomplete) is asked for again at most this often. */
export const MEMBERS_REFRESH_MS = 30_000;

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
    role: null,
    memberships: [],
    rosters: {},
    typing: {},
    mentions: {},
    roomMembers: {},
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
  /** From `hello`: report activity at most this often (0: the server does not want reports). */
  private activityReportMs = 0;
  private lastActivityReport = Number.NEGATIVE_INFINITY;
  private readonly randomBytes: (count: number) => Uint8Array;
  private readonly warn: (message: string) => void;
  // notify slice
  private readonly typists = new TypingTracker();
  private readonly mentionSeqs = new MentionTracker();
  private cancelTypingTimer: (() => void) | undefined;
  private readonly membersAsked = new Map<string, number>();
  /** Per room, how many member-list changes arrived: a roster read that spans one is stale. */
  private readonly rosterVersions = new Map<string, number>();
  /** A message the address asked for (`?m=`), opened once its room is found. */
  private pendingMessage: { slug: string; seq: number } | null = null;
  private highlightToken = 0;
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
    this.cancelTypingTimer?.();
  }

  /** The network came back (the browser's `online` event). */
  networkUp(): void {
    this.connection.reconnectNow();
  }

  /** The network is gone (the browser's `offline` event). */
  networkDown(): void {
    this.connection.dropNow();
  }

  /** Shows the room with this slug; with `seq`, opened at that message (`/r/<slug>?m=<seq>`). */
  openSlug(slug: string, seq?: number): void {
    const route = this.state.route;
    if (route?.slug === slug && route.status !== "error") {
      if (seq === undefined) return;
      if (route.status === "found") void this.openMessage(route.roomId, seq);
      else this.pendingMessage = { slug, seq };
      return;
    }
    this.pendingMessage = seq === undefined ? null : { slug, seq };
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

  /**
   * Queues a message, with files already uploaded and answering `replyTo` (a seq in the same
   * room). Returns the problem when the message is refused locally.
   */
  send(
    roomId: string,
    text: string,
    attachments: readonly Attachment[] = [],
    replyTo?: number,
  ): Problem | null {
    const body = text.trim();
    // A message of files only may have no text.
    if (body.length === 0 && attachments.length === 0) return clientProblem(CLIENT_CODES.messageEmpty);
    if (body.length > MAX_MESSAGE_LENGTH) {
      return clientProblem(CLIENT_CODES.messageTooLong, { max: MAX_MESSAGE_LENGTH, length: body.length });
    }
    if (!this.outbox) return clientProblem(CLIENT_CODES.notReady);
    this.typists.sent(roomId);
    this.clearRefusal(roomId);
    this.outbox.add({
      clientId: newClientId(this.randomBytes),
      roomId,
      body,
      createdAt: this.deps.clock.now(),
      state: "pending",
      ...(replyTo !== undefined && { replyTo }),
      ...(attachments.length > 0 && { attachments: [...attachments] }),
    });
    // What was just written shows at the newest end, as in Slack: leave a page around an old message.
    this.closeFocus(roomId);
    return null;
  }

  // ---- edits (issue 15 part A): edit, delete, react, open a room at a message ----

  /** Replaces the body of one of the user's messages. Returns the problem when refused locally. */
  edit(roomId: string, seq: number, text: string): Problem | null {
    const body = text.trim();
    const problem = messageBodyProblem(body);
    if (problem?.code === "message_too_long") {
      return clientProblem(CLIENT_CODES.messageTooLong, { max: MAX_MESSAGE_LENGTH, length: body.length });
    }
    if (problem) return { code: problem.code };
    return this.sendChange({ type: "edit", roomId, seq, body });
  }

  /** Deletes a message (the server checks it is the user's own, or that they may). */
  deleteMessage(roomId: string, seq: number): Problem | null {
    return this.sendChange({ type: "delete", roomId, seq });
  }

  /** Adds or takes back the user's reaction with `emoji`. */
  react(roomId: string, seq: number, emoji: string, action: "add" | "remove"): Problem | null {
    return this.sendChange({ type: "react", roomId, seq, emoji, action });
  }

  /**
   * Brings message `seq` of the room into view and highlights it: at once when it is held, else
   * after loading the page around it (shown instead of the live tail until they meet or the user
   * goes back to the latest).
   */
  async openMessage(roomId: string, seq: number): Promise<void> {
    const token = ++this.highlightToken;
    const room = this.state.roomStates[roomId] ?? EMPTY_ROOM;
    if (room.messages.some((message) => message.seq === seq)) {
      this.patchRoom(roomId, (current) => ({ ...current, focus: null, highlight: { seq, token } }));
      return;
    }
    if (room.focus?.messages.some((message) => message.seq === seq)) {
      this.patchRoom(roomId, (current) => ({ ...current, highlight: { seq, token } }));
      return;
    }
    try {
      const page = await this.api.messagesAround(roomId, seq);
      // Another jump started meanwhile: it wins.
      if (token !== this.highlightToken) return;
      this.settleOutbox(page.messages);
      this.patchRoom(roomId, (current) =>
        settleFocus({
          ...current,
          focus: {
            target: seq,
            messages: page.messages,
            hasOlder: page.hasOlder,
            hasNewer: page.hasNewer ?? false,
            loadingOlder: false,
          },
          highlight: { seq, token },
        }),
      );
    } catch (err) {
      this.patchRoom(roomId, (current) => ({
        ...current,
        error: { during: "open_message", problem: problemOf(err) },
      }));
    }
  }

  /** The composer's next message answers `seq` (null: no longer). */
  replyTo(roomId: string, seq: number | null): void {
    const original = seq === null ? undefined : this.heldMessage(roomId, seq);
    const replyingTo = seq === null ? null : { seq, authorName: original?.author.name ?? "" };
    this.patchRoom(roomId, (room) =>
      room.replyingTo?.seq === replyingTo?.seq ? room : { ...room, replyingTo },
    );
  }

  /** Starts (or with null, ends) editing message `seq` in place. */
  startEdit(roomId: string, seq: number | null): void {
    this.patchRoom(roomId, (room) => (room.editing === seq ? room : { ...room, editing: seq }));
  }

  /** Up in an empty composer: edit the user's newest message that can still be edited, if any. */
  editLastOwn(roomId: string): boolean {
    const me = this.state.me;
    const room = this.state.roomStates[roomId];
    const mine = room?.messages.findLast((message) => mayEdit(me?.id, message) && !message.local);
    if (!mine) return false;
    this.startEdit(roomId, mine.seq);
    return true;
  }

  /** What the room's messages, held or in focus, hold for `seq`. */
  heldMessage(roomId: string, seq: number): Message | undefined {
    const room = this.state.roomStates[roomId];
    return (
      room?.messages.find((message) => message.seq === seq) ??
      room?.focus?.messages.find((message) => message.seq === seq)
    );
  }

  /** Leaves a page around an old message for the live tail ("Jump to latest"). */
  closeFocus(roomId: string): void {
    this.patchRoom(roomId, (room) => (room.focus ? { ...room, focus: null, highlight: null } : room));
  }

  private sendChange(frame: EditFrame | DeleteFrame | ReactFrame): Problem | null {
    if (this.state.status !== "connected" || !this.connection.send(frame)) {
      return clientProblem(CLIENT_CODES.offline);
    }
    this.patchRoom(frame.roomId, (room) => (room.error ? { ...room, error: null } : room));
    return null;
  }

  /** What a reply shows of message `seq`, from what this client holds. */
  private replyPreview(roomId: string, seq: number): ReplyPreview | undefined {
    const original = this.heldMessage(roomId, seq);
    if (!original) return undefined;
    return {
      seq,
      authorId: original.author.id,
      authorName: original.author.name,
      excerpt: replyExcerpt(original.body),
    };
  }

  private onChanged(frame: MessageChangedFrame): void {
    const room = this.state.roomStates[frame.roomId];
    // Not loaded: the `joined` on its way is current to at least this change.
    if (!room?.loaded) return;
    const cursor = room.changeCursor;
    const gap = cursor !== undefined && frame.changeSeq > cursor + 1;
    this.patchRoom(frame.roomId, (current) => {
      const next = withChanges(current, [frame.message]);
      // Past a hole the cursor stays, so the resync below (or the next resume) asks from before it.
      const changeCursor = gap ? cursor : Math.max(cursor ?? 0, frame.changeSeq);
      return next === current && changeCursor === current.changeCursor ? current : { ...next, changeCursor };
    });
    if (gap) this.resync(frame.roomId, roomCursor(this.state.roomStates[frame.roomId]) ?? 0);
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
    if (this.state.roomStates[roomId]?.focus) return this.loadOlderInFocus(roomId);
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

  /** Pages back from the top of the page around an old message. */
  private async loadOlderInFocus(roomId: string): Promise<void> {
    const focus = this.state.roomStates[roomId]?.focus;
    const before = focus?.messages[0]?.seq;
    if (!focus?.hasOlder || focus.loadingOlder || before === undefined) return;
    if (this.deps.clock.now() < (this.olderRetryAfter.get(roomId) ?? 0)) return;
    const patchFocus = (change: (focus: NonNullable<RoomState["focus"]>) => RoomState["focus"]) =>
      this.patchRoom(roomId, (room) => (room.focus ? { ...room, focus: change(room.focus) } : room));
    patchFocus((current) => ({ ...current, loadingOlder: true }));
    try {
      const page = await this.api.olderMessages(roomId, before);
      patchFocus((current) => ({
        ...current,
        messages: mergeMessages(current.messages, page.messages),
        hasOlder: page.hasOlder,
        loadingOlder: false,
      }));
    } catch (err) {
      this.olderRetryAfter.set(roomId, this.deps.clock.now() + OLDER_RETRY_MS);
      patchFocus((current) => ({ ...current, loadingOlder: false }));
      this.patchRoom(roomId, (room) => ({
        ...room,
        error: { during: "load_older", problem: problemOf(err) },
      }));
    }
  }

  async createRoom(name: string, kind: "open" | "private" = "open"): Promise<Room> {
    const room =
      kind === "open" ? await this.api.createRoom(name) : await this.api.createRoomOfKind(name, kind);
    this.addRoom(room);
    this.addMembership(room.id);
    return room;
  }

  // --- administration (admin slice) ---

  /**
   * The person used the page (typed, clicked, focused it): tells the server at most once per the
   * interval `hello` gave, so others see them online rather than away.
   */
  reportActivity(): void {
    if (this.activityReportMs === 0 || this.state.status !== "connected") return;
    const now = this.deps.clock.now();
    if (now - this.lastActivityReport < this.activityReportMs) return;
    const timeZone = this.deps.timeZone?.();
    if (this.connection.send({ type: "active", ...(timeZone ? { timeZone } : {}) }))
      this.lastActivityReport = now;
  }

  /** Renames, sets the topic of, archives or restores a room; the list updates from the answer. */
  async updateRoom(roomId: string, changes: UpdateRoomBody): Promise<Room> {
    const room = await this.api.updateRoom(roomId, changes);
    this.addRoom(room);
    return room;
  }

  async deleteRoom(roomId: string): Promise<void> {
    await this.api.deleteRoom(roomId);
    this.removeRoom(roomId);
  }

  async roomCreationPolicy(): Promise<RoomCreationPolicy> {
    return (await this.api.workspaceSettings()).roomCreation;
  }

  async setRoomCreationPolicy(policy: RoomCreationPolicy): Promise<RoomCreationPolicy> {
    return (await this.api.setRoomCreation(policy)).roomCreation;
  }

  profile(personId: string): Promise<Profile> {
    return this.api.profile(personId);
  }

  setRole(personId: string, role: Role): Promise<Profile> {
    return this.api.setRole(personId, role);
  }

  setDeactivated(personId: string, deactivated: boolean): Promise<Profile> {
    return this.api.setDeactivated(personId, deactivated);
  }

  /** Archived rooms, for administrators to find and restore. */
  archivedRooms(): Promise<Room[]> {
    return this.api.archivedRooms();
  }

  /** Online, away or offline for each of these people (at most 100 are asked for). */
  async statuses(personIds: readonly string[]): Promise<Readonly<Record<string, PresenceStatus>>> {
    const ids = [...new Set(personIds)].slice(0, MAX_STATUS_IDS);
    return ids.length === 0 ? {} : this.api.statuses(ids);
  }

  private removeRoom(roomId: string): void {
    const rooms = withoutRoom(this.state.rooms, roomId);
    const route = this.state.route;
    const onScreen = route?.status === "found" && route.roomId === roomId;
    if (rooms !== this.state.rooms || onScreen) {
      this.set({ rooms, ...(onScreen && route ? { route: { slug: route.slug, status: "missing" } } : {}) });
    }
    this.watched.delete(roomId);
    this.memberships.forget(roomId);
  }

  // --- rooms-access ---
  /** Becomes a member of an open room. */
  async joinRoom(roomId: string): Promise<Room> {
    const room = await this.api.joinRoom(roomId);
    this.addRoom(room);
    this.addMembership(room.id);
    return room;
  }

  /** Stops being a member; a private room leaves the list at once (the server's room_removed agrees). */
  async leaveRoom(roomId: string): Promise<void> {
    await this.api.leaveRoom(roomId);
    this.dropMembership(roomId);
  }

  invite(roomId: string, userId: string): Promise<void> {
    return this.api.invite(roomId, userId);
  }

  removeMember(roomId: string, userId: string): Promise<void> {
    return this.api.removeMember(roomId, userId);
  }

  /** Loads the room's member list (the first pages, up to MAX_ROSTER); room_members frames keep it current. */
  async loadRoster(roomId: string): Promise<void> {
    // A list read while members came or went may miss the change (its frame arrived first): such
    // a read is thrown away and the list read again, a few times at most.
    for (let attempt = 0; attempt < MAX_ROSTER_READS; attempt++) {
      const version = this.rosterVersions.get(roomId) ?? 0;
      const members: Member[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_ROSTER_PAGES; page++) {
        const next = await this.api.members(roomId, cursor);
        members.push(...next.people);
        if (next.nextCursor === null) break;
        cursor = next.nextCursor;
      }
      if ((this.rosterVersions.get(roomId) ?? 0) === version || attempt === MAX_ROSTER_READS - 1) {
        this.set({ rosters: { ...this.state.rosters, [roomId]: members } });
        return;
      }
    }
  }

  /** A page of the people directory. */
  people(filter: string, cursor?: string) {
    return this.api.people(filter, cursor);
  }

  /** Opens (or finds again) the direct conversation with these people. */
  async openDirect(userIds: readonly string[]): Promise<Room> {
    const room = await this.api.openDirect(userIds);
    this.addRoom(room);
    this.addMembership(room.id);
    return room;
  }

  private addMembership(roomId: string): void {
    if (this.state.memberships.includes(roomId)) return;
    this.set({ memberships: [...this.state.memberships, roomId] });
  }

  /**
   * No longer a member. A private room or direct conversation is gone for this user: out of the
   * list, its messages forgotten, and the page showing it says so. An open room stays to browse.
   */
  private dropMembership(roomId: string): void {
    const room = this.state.rooms.find((candidate) => candidate.id === roomId);
    const memberships = this.state.memberships.filter((id) => id !== roomId);
    if (memberships.length !== this.state.memberships.length) this.set({ memberships });
    if (room && room.kind === "open") return;
    const { [roomId]: _state, ...roomStates } = this.state.roomStates;
    const { [roomId]: _roster, ...rosters } = this.state.rosters;
    const route = this.state.route;
    this.set({
      rooms: this.state.rooms.filter((candidate) => candidate.id !== roomId),
      roomStates,
      rosters,
      ...(route?.status === "found" && route.roomId === roomId
        ? { route: { slug: route.slug, status: "missing" as const } }
        : {}),
    });
    this.watched.delete(roomId);
    this.syncMemberships();
  }

  private onRoomMembers(roomId: string, added: readonly Member[], removed: readonly string[]): void {
    this.rosterVersions.set(roomId, (this.rosterVersions.get(roomId) ?? 0) + 1);
    const roster = this.state.rosters[roomId];
    if (!roster) return;
    const gone = new Set([...removed, ...added.map((member) => member.id)]);
    const next = [...roster.filter((member) => !gone.has(member.id)), ...added];
    this.set({ rosters: { ...this.state.rosters, [roomId]: next } });
  }
  // --- end rooms-access ---

  async signOut(): Promise<void> {
    await this.api.signOut();
    this.stop();
    this.deps.page.signedOut();
  }

  // notify slice: typing, members, mentions, notification levels, push.

  /** The user typed in a room's composer: tells the room, at most once per TYPING_INTERVAL_MS. */
  typingIn(roomId: string): void {
    if (this.state.status !== "connected" || !this.memberships.isJoined(roomId)) return;
    if (!this.typists.maySend(roomId, this.deps.clock.now())) return;
    this.connection.send({ type: "typing", roomId });
  }

  /** Loads a room's members for autocomplete (again at most every 30 s). */
  async loadMembers(roomId: string): Promise<void> {
    const now = this.deps.clock.now();
    if (now - (this.membersAsked.get(roomId) ?? Number.NEGATIVE_INFINITY) < MEMBERS_REFRESH_MS) return;
    this.membersAsked.set(roomId, now);
    try {
      const members = await this.api.roomMembers(roomId);
      this.set({ roomMembers: { ...this.state.roomMembers, [roomId]: members } });
    } catch (err) {
      this.membersAsked.delete(roomId);
      this.warn(`Could not load the members of ${roomId}: ${problemOf(err).code}`);
    }
  }

  recentMentions() {
    return this.api.recentMentions();
  }

  notificationLevel(roomId: string): Promise<NotificationLevelResponse> {
    return this.api.notificationLevel(roomId);
  }

  setNotificationLevel(roomId: string, level: NotificationLevel): Promise<NotificationLevelResponse> {
    return this.api.setNotificationLevel(roomId, level);
  }

  pushPublicKey(): Promise<string> {
    return this.api.pushPublicKey();
  }

  savePushSubscription(subscription: PushSubscriptionBody): Promise<void> {
    return this.api.savePushSubscription(subscription);
  }

  removePushSubscription(endpoint: string): Promise<void> {
    return this.api.removePushSubscription(endpoint);
  }

  private onTyping(roomId: string, users: readonly Member[]): void {
    const now = this.deps.clock.now();
    for (const user of users) if (user.id !== this.state.me?.id) this.typists.typed(roomId, user, now);
    this.set({ typing: this.typists.typing });
    this.armTypingTimer();
  }

  private armTypingTimer(): void {
    this.cancelTypingTimer?.();
    this.cancelTypingTimer = undefined;
    const next = this.typists.nextExpiry();
    if (next === undefined || this.stopped) return;
    this.cancelTypingTimer = this.deps.clock.setTimeout(
      () => {
        this.cancelTypingTimer = undefined;
        if (this.typists.expire(this.deps.clock.now())) this.set({ typing: this.typists.typing });
        this.armTypingTimer();
      },
      Math.max(0, next - this.deps.clock.now()),
    );
  }

  private addRoomMembers(roomId: string, joined: readonly Member[]): void {
    const known = this.state.roomMembers[roomId];
    if (!known) return;
    const fresh = joined.filter((member) => !known.some((candidate) => candidate.id === member.id));
    if (fresh.length > 0)
      this.set({ roomMembers: { ...this.state.roomMembers, [roomId]: [...known, ...fresh] } });
  }

  private onNotify(notification: Parameters<ShowNotification>[0]): void {
    // A visible page shows the message itself; the service worker covers a closed one.
    if (this.deps.page.isVisible()) return;
    this.deps.showNotification?.(notification);
  }
  // end notify slice

  private async boot(): Promise<void> {
    if (this.stopped) return;
    try {
      const [{ user: me, role }, open, mine] = await Promise.all([
        this.api.getMeWithRole(),
        this.api.listRooms(),
        this.api.myRooms(),
      ]);
      if (this.stopped) return;
      this.outbox = new Outbox(me.id, this.deps.storage, () => this.onOutboxChanged(), this.warn);
      let rooms: readonly Room[] = open;
      for (const room of mine) rooms = withRoom(rooms, room);
      this.set({
        me,
        role,
        rooms,
        memberships: mine.map((room) => room.id),
        outbox: this.outbox.list(),
        startupError: null,
      });
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

  /**
   * A socket died before hello: a server busy taking in connections, or a Retry-After on the
   * session check, delays the next try; a 401 sends the user to sign-in.
   */
  private async checkSession(): Promise<void> {
    // Turned away for load: come back when told, without adding a session lookup to the herd.
    const wait = await this.api.connectWait();
    if (wait !== undefined) {
      this.connection.honourRetryHint(wait);
      return;
    }
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
    const pending = this.pendingMessage;
    if (pending?.slug === slug) {
      this.pendingMessage = null;
      void this.openMessage(room.id, pending.seq);
    }
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
      if (!this.connection.send(this.joinFrame(roomId, roomCursor(this.state.roomStates[roomId])))) return;
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
        ...(entry.replyTo !== undefined && { replyTo: entry.replyTo }),
        ...(entry.attachments && { attachments: entry.attachments.map((attachment) => attachment.id) }),
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
    this.typists.clear();
    if (this.state.typing !== this.typists.typing) this.set({ typing: this.typists.typing });
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
        this.activityReportMs = frame.activityReportMs ?? 0;
        // A tab that just connected is one the person is using.
        this.lastActivityReport = Number.NEGATIVE_INFINITY;
        if (this.deps.page.isVisible()) this.reportActivity();
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
        // notify slice: whoever comes in is a member now (joining makes one), so they can be mentioned.
        this.addRoomMembers(frame.roomId, frame.joined);
        return;
      case "ack":
        this.onAck(frame.roomId, frame.clientId, frame.seq);
        return;
      case "room_created":
        this.addRoom(frame.room);
        return;
      case "room_updated":
        this.addRoom(frame.room);
        return;
      case "room_deleted":
        this.removeRoom(frame.roomId);
        return;
      // --- rooms-access ---
      case "room_added":
        this.addRoom(frame.room);
        this.addMembership(frame.room.id);
        return;
      case "room_removed":
        this.dropMembership(frame.roomId);
        return;
      case "room_members":
        this.onRoomMembers(frame.roomId, frame.added, frame.removed);
        return;
      // --- end rooms-access ---
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
      // notify slice
      case "typing":
        this.onTyping(frame.roomId, frame.users);
        return;
      case "mention":
        if (this.mentionSeqs.add(frame.roomId, frame.seq)) this.set({ mentions: this.mentionSeqs.mentions });
        return;
      case "mention_state":
        this.mentionSeqs.replace(frame.rooms);
        this.set({ mentions: this.mentionSeqs.mentions });
        return;
      case "notify":
        this.onNotify(frame.notification);
        return;
      case "message_changed":
        this.onChanged(frame);
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
    const changed = received.changed?.length
      ? expandPage({ users: received.users, messages: received.changed }).messages
      : [];
    this.patchRoom(roomId, (room) => settleFocus(applyJoined(room, frame, changed)));
    this.flush();
  }

  private onMessage(message: Message): void {
    this.settleOutbox([message]);
    // notify slice: their message is out, so they are no longer typing it.
    if (this.typists.stopped(message.roomId, message.author.id)) this.set({ typing: this.typists.typing });
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
    if (this.connection.send(this.joinFrame(roomId, since))) this.memberships.resyncSent(roomId);
  }

  /** A join resuming from `since` and from the room's change cursor, when the client holds them. */
  private joinFrame(roomId: string, since: number | undefined): ClientFrame {
    if (since === undefined) return { type: "join", roomId };
    const changesSince = this.state.roomStates[roomId]?.changeCursor;
    return changesSince === undefined
      ? { type: "join", roomId, since }
      : { type: "join", roomId, since, changesSince };
  }

  private onAck(roomId: string, clientId: string, seq: number): void {
    const entry = this.outbox?.find(clientId);
    const me = this.state.me;
    // A late or repeated ack (the broadcast copy already settled it) changes nothing.
    if (!entry || !me || entry.roomId !== roomId) return;
    // Show it as sent right away; the broadcast copy, when it comes, replaces this one by seq.
    const replyTo = entry.replyTo === undefined ? undefined : this.replyPreview(roomId, entry.replyTo);
    const committed: ChatMessage = {
      roomId,
      seq,
      clientId,
      author: me,
      body: entry.body,
      createdAt: entry.createdAt,
      // files (issue 16): the message keeps its files (and its height) from pending to sent.
      ...(entry.attachments && { attachments: entry.attachments }),
      local: true,
      ...(replyTo && { replyTo }),
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
    // notify slice: a typing notice came too soon (another tab typed too); the next one will do.
    if (frame.code === "typing_too_often") return;
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
    if (frame.seq !== undefined && frame.clientId === undefined) {
      // A refused edit, delete or reaction: shown, nothing else about the room changes.
      this.patchRoom(roomId, (room) => ({
        ...room,
        error: { during: "change", problem: problemFromFrame(frame) },
      }));
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
      // A room we thought we were in (removed while away, or never ours): out of the list.
      if (this.state.memberships.includes(frame.roomId)) this.dropMembership(frame.roomId);
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
      const [open, mine] = await Promise.all([this.api.listRooms(), this.api.myRooms()]);
      for (const room of open) this.addRoom(room);
      for (const room of mine) this.addRoom(room);
      // Memberships changed while away: added rooms appear, removed ones go.
      const now = new Set(mine.map((room) => room.id));
      for (const roomId of this.state.memberships) if (!now.has(roomId)) this.dropMembership(roomId);
      for (const room of mine) this.addMembership(room.id);
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
