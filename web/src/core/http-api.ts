import {
  type ExpandedPage,
  expandPage,
  HISTORY_PAGE_SIZE,
  HistoryPage,
  Me,
  type Member,
  type Room,
  RoomList,
  RoomResponse,
  SearchPage,
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

/** A safety stop for a server whose cursors never end; far above any real room count. */
const MAX_ROOM_PAGES = 1000;

export interface ChatApi {
  getMe(): Promise<Member>;
  /** Every room, following `nextCursor` page by page until it is null. */
  listRooms(): Promise<Room[]>;
  createRoom(name: string): Promise<Room>;
  /** The room with this slug, or null when there is none. */
  roomBySlug(slug: string): Promise<Room | null>;
  /** The page of history before `before`, its messages with their authors put back. */
  olderMessages(roomId: string, before: number): Promise<ExpandedPage<HistoryPage>>;
  signOut(): Promise<void>;
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
export function createChatApi(http: HttpFetch, clock: Clock, onUnauthorized: () => void): ChatApi {
  async function request<T>(
    path: string,
    schema: z.ZodType<T>,
    options: { method?: "GET" | "POST"; body?: unknown; redirectOn401?: boolean } = {},
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
    const payload: unknown = await response.json().catch(() => undefined);
    const parsed = schema.safeParse(payload);
    if (!parsed.success) throw new ApiError({ code: CLIENT_CODES.badResponse, status: response.status });
    return parsed.data;
  }

  return {
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
  };
}
