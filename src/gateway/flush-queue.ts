/** Something holding frames to write at the end of the current turn. */
export interface Flushable {
  flush(): void;
}

/**
 * Sockets with frames waiting, written once the current run of microtasks is over. Messages
 * committed together (group commit) fan out one after another in the same run, so a socket's
 * frames from all of them leave in one system call instead of one each: when the server falls
 * behind, it catches up in a fraction of the calls.
 */
export class FlushQueue {
  private waiting: Flushable[] = [];
  private scheduled = false;

  add(item: Flushable): void {
    this.waiting.push(item);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(this.flushAll);
  }

  private readonly flushAll = (): void => {
    this.scheduled = false;
    const items = this.waiting;
    this.waiting = [];
    for (const item of items) item.flush();
  };
}
