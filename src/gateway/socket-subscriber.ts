import { randomUUID } from "node:crypto";
import type { Socket } from "node:net";
import type { Member } from "@parley/protocol";
import { CloseCode } from "@parley/protocol";
import type { WebSocket } from "ws";
import type { EncodedFrame, Subscriber } from "../chat/ports.js";
import type { Flushable, FlushQueue } from "./flush-queue.js";
import { textFrame } from "./text-frame.js";

const SLOW_CLIENT_GRACE_MS = 10_000;

/**
 * A WebSocket as the domain's subscriber. Each broadcast is framed once and the same bytes are
 * written straight to every recipient's TCP socket: no per-recipient encoding, framing or copy
 * (see docs/decisions/0005-preframed-broadcasts.md). Frames delivered in one turn leave together
 * at its end, in one write. Once a client stops reading and its unsent bytes pass the cap, the
 * socket is closed rather than letting memory grow.
 */
export class SocketSubscriber implements Subscriber, Flushable {
  readonly connectionId = randomUUID();
  /** Answered the last ping (see Heartbeat). */
  alive = true;
  /** ws's own TCP socket. ws writes whole frames synchronously (no compression), so ours interleave safely. */
  private readonly tcp: Socket;
  /** Frames of this turn; the first alone needs no array (the usual case). */
  private first: Buffer | undefined;
  private more: Buffer[] | undefined;

  constructor(
    readonly socket: WebSocket,
    readonly user: Member,
    readonly sessionId: string,
    private readonly queueLimitBytes: number,
    private readonly flushQueue: FlushQueue,
    private readonly onTooSlow: () => void,
  ) {
    this.tcp = (socket as unknown as { _socket: Socket })._socket;
  }

  deliver(data: EncodedFrame): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    const frame = textFrame(data);
    if (this.first === undefined) {
      this.first = frame;
      this.flushQueue.add(this);
    } else {
      if (this.more) this.more.push(frame);
      else this.more = [frame];
    }
  }

  flush(): void {
    const { first, more } = this;
    this.first = undefined;
    this.more = undefined;
    const socket = this.socket;
    if (first === undefined || socket.readyState !== socket.OPEN) return;
    let bytes = first.length;
    if (more) for (const frame of more) bytes += frame.length;
    // A client that keeps up may get one burst bigger than the cap (a resume snapshot); only a
    // backlog that keeps growing past it means the client stopped reading.
    const backlog = this.tcp.writableLength;
    if (backlog > 0 && backlog + bytes > this.queueLimitBytes) {
      // Nothing more is queued once CLOSING; a client that never reads is cut off after a grace period.
      this.onTooSlow();
      socket.close(CloseCode.tooSlow, "send queue full");
      setTimeout(() => socket.terminate(), SLOW_CLIENT_GRACE_MS).unref();
      return;
    }
    if (!more) {
      this.tcp.write(first);
      return;
    }
    // Corked writes leave as one writev.
    this.tcp.cork();
    this.tcp.write(first);
    for (const frame of more) this.tcp.write(frame);
    this.tcp.uncork();
  }

  /** Writes what this turn delivered, then closes: a frame sent just before closing is not lost. */
  close(code: number, reason: string): void {
    this.flush();
    this.socket.close(code, reason);
  }
}
