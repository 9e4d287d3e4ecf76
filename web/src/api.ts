import {
  HISTORY_PAGE_SIZE,
  HistoryPage,
  Me,
  type Member,
  type Room,
  RoomList,
  RoomResponse,
  SignInOptions,
} from "@parley/protocol";
import { z } from "zod";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/**
 * Sends the browser to the sign-in page, which brings it back here afterwards. The returned
 * promise never settles: the page is being replaced, and settling would only flash error text.
 */
export function redirectToSignIn(): Promise<never> {
  const { pathname, search } = window.location;
  if (pathname !== "/signin") window.location.assign(`/signin?next=${encodeURIComponent(pathname + search)}`);
  return new Promise<never>(() => {});
}

/** Where to go after signing in: the `next` the server or the app put in the URL, if it is ours. */
export function afterSignInPath(): string {
  const next = new URLSearchParams(window.location.search).get("next");
  // Only same-origin paths: "//host" and "/\\host" would leave the site, and browsers drop
  // tabs and newlines from URLs, so "/\t/host" would too (open redirect).
  return next && /^\/(?![/\\])\S*$/.test(next) ? next : "/";
}

interface RequestOptions {
  method?: "GET" | "POST";
  body?: unknown;
  /** The sign-in page itself must see a 401 as an ordinary error, not bounce to itself. */
  redirectOn401?: boolean;
}

async function request<T>(path: string, schema: z.ZodType<T>, options: RequestOptions = {}): Promise<T> {
  const { method = "GET", body, redirectOn401 = true } = options;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? { accept: "application/json" } : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch {
    throw new ApiError(0, "Cannot reach the server. Check your connection.");
  }
  if (response.status === 401 && redirectOn401) return redirectToSignIn();
  const payload: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw new ApiError(response.status, errorMessage(payload, response));
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    console.warn(`Unexpected response from ${method} ${path}`, parsed.error);
    throw new ApiError(response.status, "The server sent an unexpected response.");
  }
  return parsed.data;
}

function errorMessage(payload: unknown, response: Response): string {
  if (
    typeof payload === "object" &&
    payload !== null &&
    "message" in payload &&
    typeof payload.message === "string"
  ) {
    if (payload.message) return payload.message;
  }
  return `Request failed (${response.status} ${response.statusText})`.trim();
}

export function getSignInOptions(): Promise<SignInOptions> {
  return request("/api/signin-options", SignInOptions, { redirectOn401: false });
}

export async function devSignIn(name: string): Promise<void> {
  await request("/api/auth/sign-in/anonymous", z.unknown(), {
    method: "POST",
    body: { name },
    redirectOn401: false,
  });
}

const RedirectResponse = z.object({ url: z.string() });

/**
 * Starts an OAuth sign-in; resolves with the provider URL the browser must go to. better-auth
 * serves built-in and generic (OIDC) providers through the same endpoint.
 */
export async function providerSignIn(providerId: string, callbackURL: string): Promise<string> {
  const { url } = await request("/api/auth/sign-in/social", RedirectResponse, {
    method: "POST",
    body: { provider: providerId, callbackURL, errorCallbackURL: "/signin" },
    redirectOn401: false,
  });
  return url;
}

export async function signOut(): Promise<void> {
  await request("/api/auth/sign-out", z.unknown(), { method: "POST", body: {}, redirectOn401: false });
}

export async function getMe(): Promise<Member> {
  return (await request("/api/me", Me)).user;
}

/** The signed-in user, or null; for the sign-in page, which must not bounce to itself. */
export async function currentUser(): Promise<Member | null> {
  try {
    return (await request("/api/me", Me, { redirectOn401: false })).user;
  } catch {
    return null;
  }
}

export async function listRooms(): Promise<Room[]> {
  return (await request("/api/rooms", RoomList)).rooms;
}

export async function createRoom(name: string): Promise<Room> {
  return (await request("/api/rooms", RoomResponse, { method: "POST", body: { name } })).room;
}

/** The room with this slug, or null when there is none. */
export async function roomBySlug(slug: string): Promise<Room | null> {
  try {
    return (await request(`/api/rooms/by-slug/${encodeURIComponent(slug)}`, RoomResponse)).room;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

export function olderMessages(roomId: string, before: number): Promise<HistoryPage> {
  const query = new URLSearchParams({ before: String(before), limit: String(HISTORY_PAGE_SIZE) });
  return request(`/api/rooms/${encodeURIComponent(roomId)}/messages?${query}`, HistoryPage);
}

export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
