/** Addresses and names that the server, the browser and the tests must agree on. */

/** The room every installation starts with, and where `/` leads. */
export const DEFAULT_ROOM_SLUG = "general";

/** The locally generated avatar of a user without a provider picture (never an outside host). */
export function avatarPath(userId: string): string {
  return `/api/avatars/${encodeURIComponent(userId)}.svg`;
}
