import type { SessionEnder } from "../chat/administration-ports.js";
import type { SessionEndedTopic } from "./sessions.js";

/**
 * Ends a person's sessions: deleted in SQL first (every session check confirms there, so cookies
 * stop working at once), then announced on the session-ended topic, so every node closes the
 * person's sockets with the session-ended close code. A copy Redis may keep is refused by that
 * same SQL check and expires by itself.
 */
export class SessionEnding implements SessionEnder {
  constructor(
    private readonly deleteSessionsOf: (userId: string) => Promise<string[]>,
    private readonly ended: SessionEndedTopic | undefined,
  ) {}

  async endSessionsOf(userId: string): Promise<number> {
    const sessionIds = await this.deleteSessionsOf(userId);
    // Without a topic (the CLI without Redis), or when it cannot carry the news (Redis away), each
    // node's session sweep finds them ended; the sessions are already gone from SQL, which every
    // request checks, so the action itself has happened and is not failed for it.
    const { ended } = this;
    if (ended)
      await Promise.all(sessionIds.map((sessionId) => ended.publish(sessionId).catch(() => undefined)));
    return sessionIds.length;
  }
}
