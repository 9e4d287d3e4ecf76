import type { IncomingHttpHeaders } from "node:http";
import { toMember } from "../chat/member.js";
import type { Member } from "../protocol/index.js";
import type { Auth } from "./auth.js";

export interface SignedIn {
  member: Member;
  sessionId: string;
}

export function toFetchHeaders(headers: IncomingHttpHeaders): Headers {
  const result = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) result.append(name, item);
    else result.set(name, value);
  }
  return result;
}

/**
 * The one current-user lookup of HTTP and WebSocket. It always asks the session
 * store, never the signed cookie cache, so a revoked session is refused at once.
 */
export async function currentUser(auth: Auth, headers: IncomingHttpHeaders): Promise<SignedIn | null> {
  const result = await auth.api.getSession({
    headers: toFetchHeaders(headers),
    query: { disableCookieCache: true },
  });
  if (!result) return null;
  return { member: toMember(result.user), sessionId: result.session.id };
}
