import type { SocketSubscriber } from "./socket-subscriber.js";

/** Sockets are pinged a slice at a time, so a large node never writes every ping in one burst. */
const SLICES = 10;

/**
 * Pings every socket once per interval and frees those that did not answer the previous ping.
 * Pinging 100,000 sockets at once would hold the event loop (and every message behind it) for
 * as long as 100,000 writes take; a tenth of them every tenth of the interval does not.
 */
export class Heartbeat {
  private readonly slices = Array.from({ length: SLICES }, () => new Set<SocketSubscriber>());
  private added = 0;
  private turn = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs: number) {
    this.timer = setInterval(() => this.beat(), Math.max(1, Math.round(intervalMs / SLICES)));
    this.timer.unref();
  }

  add(subscriber: SocketSubscriber): void {
    this.slices[this.added++ % SLICES]?.add(subscriber);
  }

  /** Closing is rare next to delivering: looking in each slice beats storing one per socket. */
  remove(subscriber: SocketSubscriber): void {
    for (const slice of this.slices) if (slice.delete(subscriber)) return;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private beat(): void {
    const slice = this.slices[this.turn++ % SLICES] as Set<SocketSubscriber>;
    for (const subscriber of slice) {
      // Silent for a whole interval: the peer is gone (or unreachable), free the socket.
      if (!subscriber.alive) {
        subscriber.socket.terminate();
        continue;
      }
      subscriber.alive = false;
      subscriber.socket.ping();
    }
  }
}
