import {
  type ExpandedPage,
  expandPage,
  HISTORY_PAGE_SIZE,
  HistoryPage,
  Me,
  type Member,
  MentionList,
  MyRooms,
  type NotificationLevel,
  NotificationLevelResponse,
  PeoplePage,
  PeopleStatus,
  type Profile,
  ProfileResponse,
  PushPublicKey,
  type PushSubscriptionBody,
  type Role,
  type Room,
  type RoomCreationPolicy,
  RoomList,
  RoomResponse,
  SearchPage,
  type UpdateRoomBody,
  WEBSOCKET_PATH,
  WorkspaceSettings,
} from "@parley/protocol";
import { z } from "zod";
import { parseRetryAfter } from "./backoff.js";
import type { Clock, HttpFetch, HttpResponse } from "./ports.js";
import { CLIENT_CODES, type Problem } from "./problem.js";

/** A failed REST call. `problem` is what the UI words; the Error's message is for logs only. */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.status === undefined ? problem.code : `${problem.status} ${problem.code}`);
    this.name = "ApiError";
  }

  get status(): number {
    return this.problem.status ?? 0;
  }

  /** The server's Retry-After, in ms, when it sent one (429, 503). */
  get retryAfterMs(): number | undefined {
    return this.problem.retryAfterMs;
  }
}

/** Any failure as a problem the UI can word; something that is not an ApiError is a bug, shown generically. */
export function problemOf(err: unknown): Problem {
  return err instanceof ApiError ? err.problem : { code: CLIENT_CODES.unexpected };
}

/** The problem of a REST refusal: the body's code (ours `error`, better-auth's `code`), else the status. */
export async function refusalOf(response: HttpResponse, now: number): Promise<ApiError> {
  const payload: unknown = await response.json().catch(() => undefined);
  const body = typeof payload === "object" && payload !== null ? (payload as Record<string, unknown>) : {};
  const named = [body.error, body.code].find(
    (value): value is string => typeof value === "string" && /^[A-Za-z_]{1,64}$/.test(value),
  );
  const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), now);
  const problem: Problem = {
    code: named?.toLowerCase() ?? CLIENT_CODES.httpError,
    status: response.status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(typeof body.reason === "string" ? { reason: body.reason } : {}),
  };
  return new ApiError(problem);
}

/** Members the @-autocomplete reads: the member list route's largest page. */
const MAX_AUTOCOMPLETE_MEMBERS = 200;

/** A safety stop for a server whose cursors never end; far above any real room count. */
const MAX_ROOM_PAGES = 1000;

export interface ChatApi {
  getMe(): Promise<Member>;
  // --- administration (admin slice) ---
  /** The signed-in person and whether they are an administrator. */
  getMeWithRole(): Promise<{ user: Member; role: Role }>;
  updateRoom(roomId: string, changes: UpdateRoomBody): Promise<Room>;
  deleteRoom(roomId: string): Promise<void>;
  workspaceSettings(): Promise<WorkspaceSettings>;
  setRoomCreation(policy: RoomCreationPolicy): Promise<WorkspaceSettings>;
  profile(personId: string): Promise<Profile>;
  setRole(personId: string, role: Role): Promise<Profile>;
  setDeactivated(personId: string, deactivated: boolean): Promise<Profile>;
  /** The archived rooms (first page, up to 200), in name order. */
  archivedRooms(): Promise<Room[]>;
  /** Presence status of up to 100 people. */
  statuses(personIds: readonly string[]): Promise<PeopleStatus["statuses"]>;
  /** Every room, following `nextCursor` page by page until it is null. */
  listRooms(): Promise<Room[]>;
  createRoom(name: string): Promise<Room>;
  /** The room with this slug, or null when there is none. */
  roomBySlug(slug: string): Promise<Room | null>;
  /** The page of history before `before`, its messages with their authors put back. */
  olderMessages(roomId: string, before: number): Promise<ExpandedPage<HistoryPage>>;
  /** The page around `seq` (edits: open a room at a message), with `hasOlder` and `hasNewer`. */
  messagesAround(roomId: string, seq: number): Promise<ExpandedPage<HistoryPage>>;
  signOut(): Promise<void>;
  /**
   * Whether the server is turning connections away for load, and for how long (ms): a browser
   * cannot read the 503 of a refused upgrade, so the socket's URL is asked again over plain HTTP.
   */
  connectWait(): Promise<number | undefined>;
  // --- rooms-access ---
  /** Every room the user is a member of (the sidebar). */
  myRooms(): Promise<Room[]>;
  createRoomOfKind(name: string, kind: "open" | "private"): Promise<Room>;
  joinRoom(roomId: string): Promise<Room>;
  leaveRoom(roomId: string): Promise<void>;
  invite(roomId: string, userId: string): Promise<void>;
  removeMember(roomId: string, userId: string): Promise<void>;
  /** A page of a room's members in name order. */
  members(roomId: string, cursor?: string): Promise<PeoplePage>;
  /** A page of the people directory, names containing `filter` when given. */
  people(filter: string, cursor?: string): Promise<PeoplePage>;
  /** The direct conversation with these people (found again, or new). */
  openDirect(userIds: readonly string[]): Promise<Room>;
  // --- end rooms-access ---
  // notify slice
  roomMembers(roomId: string): Promise<Member[]>;
  recentMentions(): Promise<MentionList["mentions"]>;
  notificationLevel(roomId: string): Promise<NotificationLevelResponse>;
  setNotificationLevel(roomId: string, level: NotificationLevel): Promise<NotificationLevelResponse>;
  pushPublicKey(): Promise<string>;
  savePushSubscription(subscription: PushSubscriptionBody): Promise<void>;
  removePushSubscription(endpoint: string): Promise<void>;
  // --- search (issue 16) ---
  /** One page of search results (`GET /api/search`); refusals come as ApiError `bad_search` with a `reason`. */
  search(params: SearchParams): Promise<SearchPage>;
}

export interface SearchParams {
  q: string;
  roomId?: string;
  /** The searcher's offset from UTC in minutes, east positive. */
  tz: number;
  offset: number;
}

/**
 * The REST calls of the chat, validated with the protocol's schemas. A 401 calls
 * `onUnauthorized` and never settles: the page is going to sign-in, and settling would only
 * flash error text.
 */
/** Messages loaded on each side of a message a link opens. */
const AROUND_PAGE_SIZE = 25;

export function createChatApi(http: HttpFetch, clock: Clock, onUnauthorized: () => void): ChatApi {
  async function request<T>(
    path: string,
    schema: z.ZodType<T>,
    options: {
      method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
      body?: unknown;
      redirectOn401?: boolean;
    } = {},
  ): Promise<T> {
    const { method = "GET", body, redirectOn401 = true } = options;
    let response: Awaited<ReturnType<HttpFetch>>;
    try {
      response = await http(path, {
        method,
        headers: body === undefined ? { accept: "application/json" } : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError({ code: CLIENT_CODES.offline });
    }
    if (response.status === 401 && redirectOn401) {
      onUnauthorized();
      return new Promise<never>(() => {});
    }
    if (!response.ok) throw await refusalOf(response, clock.now());
    const payload: unknown = response.status === 204 ? null : await response.json().catch(() => undefined);
    const parsed = schema.safeParse(payload);
    if (!parsed.success) throw new ApiError({ code: CLIENT_CODES.badResponse, status: response.status });
    return parsed.data;
  }

  const person = (path: string, method: "PUT" | "POST" | "GET", body?: unknown) =>
    request(path, ProfileResponse, { method, ...(body === undefined ? {} : { body }) }).then(
      (answer) => answer.person,
    );

  return {
    async getMeWithRole() {
      const me = await request("/api/me", Me);
      return { user: me.user, role: me.role ?? "member" };
    },
    async updateRoom(roomId, changes) {
      return (
        await request(`/api/rooms/${encodeURIComponent(roomId)}`, RoomResponse, {
          method: "PATCH",
          body: changes,
        })
      ).room;
    },
    async deleteRoom(roomId) {
      await request(`/api/rooms/${encodeURIComponent(roomId)}`, z.null(), { method: "DELETE" });
    },
    workspaceSettings: () => request("/api/workspace/settings", WorkspaceSettings),
    setRoomCreation: (roomCreation) =>
      request("/api/workspace/settings", WorkspaceSettings, { method: "PUT", body: { roomCreation } }),
    profile: (personId) => person(`/api/people/${encodeURIComponent(personId)}`, "GET"),
    setRole: (personId, role) => person(`/api/people/${encodeURIComponent(personId)}/role`, "PUT", { role }),
    archivedRooms: async () => (await request("/api/rooms?archived=true&limit=200", RoomList)).rooms,
    statuses: async (personIds) =>
      (await request(`/api/people/status?ids=${personIds.map(encodeURIComponent).join(",")}`, PeopleStatus))
        .statuses,
    setDeactivated: (personId, deactivated) =>
      person(
        `/api/people/${encodeURIComponent(personId)}/${deactivated ? "deactivate" : "reactivate"}`,
        "POST",
      ),
    async getMe() {
      return (await request("/api/me", Me)).user;
    },
    async listRooms() {
      const rooms: Room[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < MAX_ROOM_PAGES; page++) {
        const query: string = cursor === null ? "" : `?cursor=${encodeURIComponent(cursor)}`;
        const list: RoomList = await request(`/api/rooms${query}`, RoomList);
        rooms.push(...list.rooms);
        // A cursor that does not move would loop for ever; what we have is all we can get.
        if (list.nextCursor === null || list.nextCursor === cursor) break;
        cursor = list.nextCursor;
      }
      return rooms;
    },
    async createRoom(name) {
      return (await request("/api/rooms", RoomResponse, { method: "POST", body: { name } })).room;
    },
    async roomBySlug(slug) {
      try {
        return (await request(`/api/rooms/by-slug/${encodeURIComponent(slug)}`, RoomResponse)).room;
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
    },
    async olderMessages(roomId, before) {
      const query = `before=${before}&limit=${HISTORY_PAGE_SIZE}`;
      // The schema already refused a page naming an author it lacks, so expanding cannot throw.
      return expandPage(
        await request(`/api/rooms/${encodeURIComponent(roomId)}/messages?${query}`, HistoryPage),
      );
    },
    async connectWait() {
      const response = await http(WEBSOCKET_PATH, {
        method: "GET",
        headers: { accept: "application/json" },
      }).catch(() => undefined);
      if (response?.status !== 503) return undefined;
      return parseRetryAfter(response.headers.get("retry-after"), clock.now());
    },
    // --- rooms-access ---
    async myRooms() {
      return (await request("/api/me/rooms", MyRooms)).rooms;
    },
    async createRoomOfKind(name, kind) {
      return (await request("/api/rooms", RoomResponse, { method: "POST", body: { name, kind } })).room;
    },
    async joinRoom(roomId) {
      return (
        await request(`/api/rooms/${encodeURIComponent(roomId)}/join`, RoomResponse, {
          method: "POST",
          body: {},
        })
      ).room;
    },
    async leaveRoom(roomId) {
      await request(`/api/rooms/${encodeURIComponent(roomId)}/leave`, z.unknown(), {
        method: "POST",
        body: {},
      });
    },
    async invite(roomId, userId) {
      await request(`/api/rooms/${encodeURIComponent(roomId)}/members`, z.unknown(), {
        method: "POST",
        body: { userId },
      });
    },
    async removeMember(roomId, userId) {
      await request(
        `/api/rooms/${encodeURIComponent(roomId)}/members/${encodeURIComponent(userId)}`,
        z.unknown(),
        { method: "DELETE" },
      );
    },
    async members(roomId, cursor) {
      const query = cursor === undefined ? "" : `?cursor=${encodeURIComponent(cursor)}`;
      return request(`/api/rooms/${encodeURIComponent(roomId)}/members${query}`, PeoplePage);
    },
    async people(filter, cursor) {
      const query = new URLSearchParams();
      if (filter) query.set("q", filter);
      if (cursor !== undefined) query.set("cursor", cursor);
      const search = query.toString();
      return request(`/api/people${search ? `?${search}` : ""}`, PeoplePage);
    },
    async openDirect(userIds) {
      return (await request("/api/direct", RoomResponse, { method: "POST", body: { userIds } })).room;
    },
    // --- end rooms-access ---
    async messagesAround(roomId, seq) {
      const query = `around=${seq}&limit=${AROUND_PAGE_SIZE}`;
      return expandPage(
        await request(`/api/rooms/${encodeURIComponent(roomId)}/messages?${query}`, HistoryPage),
      );
    },
    async search({ q, roomId, tz, offset }) {
      const query = new URLSearchParams({ q, tz: String(tz), offset: String(offset) });
      if (roomId !== undefined) query.set("room", roomId);
      return request(`/api/search?${query}`, SearchPage);
    },
    async signOut() {
      try {
        await request("/api/auth/sign-out", z.unknown(), {
          method: "POST",
          body: {},
          redirectOn401: false,
        });
      } catch (err) {
        // Already signed out is the outcome we wanted anyway.
        if (!(err instanceof ApiError && err.status === 401)) throw err;
      }
    },
    // notify slice
    async roomMembers(roomId) {
      // The first page of the member list (MAX_AUTOCOMPLETE_MEMBERS), enough to suggest from.
      const query = `?limit=${MAX_AUTOCOMPLETE_MEMBERS}`;
      return (await request(`/api/rooms/${encodeURIComponent(roomId)}/members${query}`, PeoplePage)).people;
    },
    async recentMentions() {
      return (await request("/api/mentions", MentionList)).mentions;
    },
    notificationLevel(roomId) {
      return request(
        `/api/rooms/${encodeURIComponent(roomId)}/notification-level`,
        NotificationLevelResponse,
      );
    },
    setNotificationLevel(roomId, level) {
      return request(
        `/api/rooms/${encodeURIComponent(roomId)}/notification-level`,
        NotificationLevelResponse,
        {
          method: "PUT",
          body: { level },
        },
      );
    },
    async pushPublicKey() {
      return (await request("/api/push/public-key", PushPublicKey)).publicKey;
    },
    async savePushSubscription(subscription) {
      await request("/api/push/subscriptions", z.unknown(), { method: "POST", body: subscription });
    },
    async removePushSubscription(endpoint) {
      await request("/api/push/unsubscribe", z.unknown(), { method: "POST", body: { endpoint } });
    },
  };
}
