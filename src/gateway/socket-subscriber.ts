import { randomUUID } from "node:crypto";
import type { Socket } from "node:net";
import type { WebSocket } from "ws";
import type { EncodedFrame, Subscriber } from "../chat/ports.js";
import type { Member } from "../protocol/index.js";
import { CloseCode } from "./close-codes.js";
import { textFrame } from "./text-frame.js";

const SLOW_CLIENT_GRACE_MS = 10_000;

/**
 * A WebSocket as the domain's subscriber. Each broadcast is framed once and the same bytes are
 * written straight to every recipient's TCP socket: one write, no per-recipient encoding,
 * framing or copy (see docs/decisions/0005-preframed-broadcasts.md). Once a client stops reading
 * and its unsent bytes pass the cap, the socket is closed rather than letting memory grow.
 */
export class SocketSubscriber implements Subscriber {
  readonly connectionId = randomUUID();
  alive = true;
  /** ws's own TCP socket. ws writes whole frames synchronously (no compression), so ours interleave safely. */
  private readonly tcp: Socket;

  constructor(
    readonly socket: WebSocket,
    readonly user: Member,
    readonly sessionId: string,
    private readonly queueLimitBytes: number,
    private readonly onTooSlow: () => void,
  ) {
    this.tcp = (socket as unknown as { _socket: Socket })._socket;
  }

  deliver(data: EncodedFrame): void {
    const socket = this.socket;
    if (socket.readyState !== socket.OPEN) return;
    // A client that keeps up may get one frame bigger than the cap (a resume snapshot); only a
    // backlog that keeps growing past it means the client stopped reading.
    const frame = textFrame(data);
    const backlog = this.tcp.writableLength;
    if (backlog > 0 && backlog + frame.length > this.queueLimitBytes) {
      // Nothing more is queued once CLOSING; a client that never reads is cut off after a grace period.
      this.onTooSlow();
      socket.close(CloseCode.tooSlow, "send queue full");
      setTimeout(() => socket.terminate(), SLOW_CLIENT_GRACE_MS).unref();
      return;
    }
    this.tcp.write(frame);
  }
}
