import type { IncomingHttpHeaders } from "node:http";
import type { Auth } from "./auth.js";
import { CurrentUser, type LiveSessions, type SignedIn } from "./current-user.js";

/** Carries "this session ended" to every node (Redis pub/sub, or in-process on one node). */
export interface SessionEndedTopic {
  publish(sessionId: string): Promise<void>;
  subscribe(handler: (sessionId: string) => void): void;
}

export interface SessionsOptions {
  /** How long a cookie that passed the full check is only confirmed in the session table. */
  confirmWindowMs: number;
  /** Cookies remembered per process. */
  maxCheckedCookies: number;
  /** How often the sessions of open connections are confirmed, for ends nobody announced. */
  sweepIntervalMs: number;
  now?: () => number;
}

/**
 * Everything about sessions that the edges need, in one place: who a request belongs to
 * (`lookup`), which open sessions still live (the sweep), and the "session ended" signal on every
 * node. The gateway watches the sessions of its sockets and closes them when told one ended;
 * sign-out, revocation and expiry all end up here, never in the chat domain's events.
 */
export class Sessions {
  /** The request lookup, for the HTTP routes and pages. */
  readonly currentUser: CurrentUser;
  private readonly watched = new Map<string, number>();
  private readonly endedHandlers: Array<(sessionId: string) => void> = [];
  private sweepTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    auth: Auth,
    private readonly live: LiveSessions,
    private readonly ended: SessionEndedTopic,
    private readonly options: SessionsOptions,
    private readonly onSweepFailed: (error: unknown) => void,
  ) {
    this.currentUser = new CurrentUser(auth, live, {
      reuseMs: options.confirmWindowMs,
      maxEntries: options.maxCheckedCookies,
      ...(options.now && { now: options.now }),
    });
    ended.subscribe((sessionId) => this.tell(sessionId));
  }

  /** The signed-in user of a request or upgrade, or null. */
  lookup(headers: IncomingHttpHeaders): Promise<SignedIn | null> {
    return this.currentUser.lookup(headers);
  }

  /** A session ended here (sign-out, revocation): tell every node, this one included. */
  announceEnded(sessionId: string): Promise<void> {
    return this.ended.publish(sessionId);
  }

  /** Called with the id of each watched session that ended, on whichever node it ended. */
  onEnded(handler: (sessionId: string) => void): void {
    this.endedHandlers.push(handler);
  }

  /** An open connection holds this session: confirm it on every sweep. */
  /** Distinct sessions this node's sockets belong to. */
  get watchedCount(): number {
    return this.watched.size;
  }

  watch(sessionId: string): void {
    this.watched.set(sessionId, (this.watched.get(sessionId) ?? 0) + 1);
  }

  unwatch(sessionId: string): void {
    const count = (this.watched.get(sessionId) ?? 0) - 1;
    if (count > 0) this.watched.set(sessionId, count);
    else this.watched.delete(sessionId);
  }

  /** Starts the periodic sweep: sessions that expired or were removed without an announcement. */
  start(): void {
    this.sweepTimer ??= setInterval(() => {
      this.sweep().catch(this.onSweepFailed);
    }, this.options.sweepIntervalMs);
    this.sweepTimer.unref();
  }

  stop(): void {
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  /** One sweep; returns the ids found ended. */
  async sweep(): Promise<string[]> {
    const sessionIds = [...this.watched.keys()];
    if (sessionIds.length === 0) return [];
    const alive = await this.live(sessionIds);
    const gone = sessionIds.filter((id) => !alive.has(id));
    for (const sessionId of gone) this.tell(sessionId);
    return gone;
  }

  private tell(sessionId: string): void {
    if (!this.watched.has(sessionId)) return;
    for (const handler of this.endedHandlers) handler(sessionId);
  }
}
