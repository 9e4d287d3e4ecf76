import type { IncomingHttpHeaders } from "node:http";
import type { Member } from "@parley/protocol";
import { toMember } from "../chat/member.js";
import type { Auth } from "./auth.js";

export interface SignedIn {
  member: Member;
  sessionId: string;
}

/** The ids among `sessionIds` whose session still exists and has not expired, from the session table. */
export type LiveSessions = (sessionIds: string[]) => Promise<Set<string>>;

export interface CurrentUserOptions {
  /** How long a checked cookie skips better-auth's full check; keep it far below the session's renewal age. */
  reuseMs: number;
  /**
   * Most cookies remembered at once; the oldest is forgotten first. Entries of ended sessions are
   * not hunted down: every use confirms the session, so a stale entry only waits to be pushed out.
   */
  maxEntries: number;
  now?: () => number;
}

interface Checked {
  signedIn: SignedIn;
  until: number;
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
 * The one current-user lookup of HTTP and WebSocket.
 *
 * The first time a cookie is seen it goes through better-auth in full, never its signed cookie
 * cache: signature check (WebCrypto, an async job per request), session and user reads, and
 * renewal when due. For a while after that, the same cookie only has its session confirmed in
 * the session table, which sign-out and revocation delete at once (decision 0008): a revoked
 * session is refused on the next request as before, while a client that pages through history
 * or reconnects does not pay for the signature and the user read every time.
 */
export class CurrentUser {
  private readonly checked = new Map<string, Checked>();
  private readonly now: () => number;

  constructor(
    private readonly auth: Auth,
    private readonly liveSessions: LiveSessions,
    private readonly options: CurrentUserOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async lookup(headers: IncomingHttpHeaders): Promise<SignedIn | null> {
    const cookie = headers.cookie;
    // Sessions travel only in cookies: without one there is nothing to check.
    if (!cookie) return null;
    const known = this.checked.get(cookie);
    if (known && known.until > this.now()) {
      const live = await this.liveSessions([known.signedIn.sessionId]);
      if (live.has(known.signedIn.sessionId)) return known.signedIn;
      this.checked.delete(cookie);
      return null;
    }
    this.checked.delete(cookie);
    const result = await this.auth.api.getSession({
      headers: toFetchHeaders(headers),
      query: { disableCookieCache: true },
    });
    // SQL is the authority: a copy Redis kept of an ended session (it was away when the session
    // ended) is not a session.
    if (!result || !(await this.liveSessions([result.session.id])).has(result.session.id)) return null;
    const signedIn = { member: toMember(result.user), sessionId: result.session.id };
    this.remember(cookie, signedIn);
    return signedIn;
  }

  private remember(cookie: string, signedIn: SignedIn): void {
    this.checked.set(cookie, { signedIn, until: this.now() + this.options.reuseMs });
    if (this.checked.size <= this.options.maxEntries) return;
    const oldest = this.checked.keys().next().value;
    if (oldest !== undefined) this.checked.delete(oldest);
  }
}
