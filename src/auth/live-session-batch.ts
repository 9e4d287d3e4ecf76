import type { LiveSessions } from "./current-user.js";

interface Batch {
  ids: Set<string>;
  answer: Promise<Set<string>>;
  settle: (read: Promise<Set<string>>) => void;
}

/**
 * Confirms sessions in batches: every id asked for during the current turn, and while the
 * previous read is still in the database, is confirmed by one `WHERE id IN (…)` read. After a
 * deploy thousands of sockets reconnect at once, each confirming its session: one read per
 * batch instead of one per socket (decision 0052). Each answer comes from a read started after
 * it was asked for, so a sign-out or revocation is seen exactly as before.
 */
export class LiveSessionBatch {
  private gathering: Batch | undefined;
  private reading = false;
  private scheduled = false;

  constructor(private readonly live: LiveSessions) {}

  /** The same contract as LiveSessions: the ids among these whose session still lives. */
  readonly confirm: LiveSessions = async (sessionIds) => {
    if (sessionIds.length === 0) return new Set();
    const batch = this.gathering ?? this.open();
    for (const id of sessionIds) batch.ids.add(id);
    this.schedule();
    const alive = await batch.answer;
    return new Set(sessionIds.filter((id) => alive.has(id)));
  };

  private open(): Batch {
    let settle!: Batch["settle"];
    const answer = new Promise<Set<string>>((resolve) => {
      settle = resolve;
    });
    this.gathering = { ids: new Set(), answer, settle };
    return this.gathering;
  }

  private schedule(): void {
    if (this.scheduled || this.reading) return;
    this.scheduled = true;
    setImmediate(this.read);
  }

  private readonly read = (): void => {
    this.scheduled = false;
    const batch = this.gathering;
    if (!batch || this.reading) return;
    this.gathering = undefined;
    this.reading = true;
    const read = this.live([...batch.ids]);
    batch.settle(read);
    read
      .catch(() => undefined)
      .finally(() => {
        this.reading = false;
        if (this.gathering) this.schedule();
      });
  };
}
