import { randomUUID } from "node:crypto";
import type { WebSocket } from "ws";
import type { EncodedFrame, Subscriber } from "../chat/ports.js";
import type { Member } from "../protocol/index.js";
import { CloseCode } from "./close-codes.js";

const SLOW_CLIENT_GRACE_MS = 10_000;
/** Frames are UTF-8 JSON bytes: sent as text frames, with one options object for all sends. */
const AS_TEXT = { binary: false } as const;

/**
 * A WebSocket as the domain's subscriber. Frames go straight to ws's own send buffer;
 * once a client stops reading and that buffer passes the cap, the socket is closed
 * rather than letting server memory grow.
 */
export class SocketSubscriber implements Subscriber {
  readonly connectionId = randomUUID();
  alive = true;

  constructor(
    readonly socket: WebSocket,
    readonly user: Member,
    readonly sessionId: string,
    private readonly queueLimitBytes: number,
    private readonly onTooSlow: () => void,
  ) {}

  deliver(data: EncodedFrame): void {
    const socket = this.socket;
    if (socket.readyState !== socket.OPEN) return;
    // A client that keeps up may get one frame bigger than the cap (a resume snapshot); only a
    // backlog that keeps growing past it means the client stopped reading.
    const backlog = socket.bufferedAmount;
    if (backlog > 0 && backlog + data.length > this.queueLimitBytes) {
      // Nothing more is queued once CLOSING; a client that never reads is cut off after a grace period.
      this.onTooSlow();
      socket.close(CloseCode.tooSlow, "send queue full");
      setTimeout(() => socket.terminate(), SLOW_CLIENT_GRACE_MS).unref();
      return;
    }
    socket.send(data, AS_TEXT);
  }
}
