import { DEFAULT_ROOM_SLUG, MAX_SEQUENCE } from "@parley/protocol";
import type { Problem } from "./problem.js";

/** What the address bar points at. */
export type Location =
  | { readonly page: "signin" }
  /** `seq`: the message to open the room at (`/r/<slug>?m=<seq>`, the shared "open a room at a message"). */
  | { readonly page: "room"; readonly slug: string; readonly seq?: number }
  | { readonly page: "home" };

export const DEFAULT_ROOM_PATH = `/r/${DEFAULT_ROOM_SLUG}`;
const ROOM_PATH = /^\/r\/([^/]+)\/?$/;

/** The page for a pathname (and query); anything unknown is "home", which redirects to the default room. */
export function locate(pathname: string, search = ""): Location {
  if (pathname === "/signin") return { page: "signin" };
  const match = ROOM_PATH.exec(pathname);
  if (!match?.[1]) return { page: "home" };
  try {
    const slug = decodeURIComponent(match[1]);
    const seq = messageSeq(search);
    return seq === undefined ? { page: "room", slug } : { page: "room", slug, seq };
  } catch {
    // A malformed escape in a hand-typed URL should land on the default room, not crash.
    return { page: "home" };
  }
}

export function roomPath(slug: string): string {
  return `/r/${encodeURIComponent(slug)}`;
}

/** The address that opens a room at one of its messages; search and notifications link to it too. */
export function messagePath(slug: string, seq: number): string {
  return `${roomPath(slug)}?m=${seq}`;
}

/** The `m` of a query, when it is a sequence a message can have; anything else is ignored. */
function messageSeq(search: string): number | undefined {
  const value = new URLSearchParams(search).get("m");
  if (value === null || !/^[1-9][0-9]{0,9}$/.test(value)) return undefined;
  const seq = Number(value);
  return seq <= MAX_SEQUENCE ? seq : undefined;
}

/** The room on screen, as the core resolves its slug. */
export type RouteState =
  | { readonly slug: string; readonly status: "loading" }
  | { readonly slug: string; readonly status: "found"; readonly roomId: string }
  | { readonly slug: string; readonly status: "missing" }
  | { readonly slug: string; readonly status: "error"; readonly problem: Problem };

/** Where to go after signing in: the `next` in the query, if it is a path of this site. */
export function afterSignInPath(search: string): string {
  const next = new URLSearchParams(search).get("next");
  // Only same-origin paths: "//host" and "/\\host" would leave the site, and browsers drop
  // tabs and newlines from URLs, so "/\t/host" would too (open redirect).
  return next && /^\/(?![/\\])\S*$/.test(next) ? next : "/";
}

/** The sign-in page, bringing the user back to `pathAndSearch` afterwards. */
export function signInPath(pathAndSearch: string): string {
  return `/signin?next=${encodeURIComponent(pathAndSearch)}`;
}
