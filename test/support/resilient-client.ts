import type { ClientFrame, Message, ServerFrame } from "@parley/protocol";
import WebSocket from "ws";

interface RoomLog {
  /** Seqs in the order this client accepted them; only ever last + 1. */
  seqs: number[];
  /** Messages that arrived ahead of a hole, waiting for the resume to fill it. */
  early: Map<number, Message>;
  joined: boolean;
  backfilling: boolean;
}

let counter = 0;

/**
 * A test client that behaves like the browser app: it reconnects by itself (to the next node
 * in its list), resumes every room from the last sequence it accepted, re-sends what was not
 * acknowledged with the same client id, and never accepts a message past a hole.
 */
export class ResilientClient {
  readonly rooms = new Map<string, RoomLog>();
  /** clientId → seq, for every send the server acknowledged. */
  readonly acked = new Map<string, number>();
  readonly errors: Extract<ServerFrame, { type: "error" }>[] = [];
  duplicates = 0;
  reconnects = 0;
  private readonly outbox = new Map<string, ClientFrame>();
  private socket: WebSocket | undefined;
  private node = 0;
  private stopped = false;
  private paused = false;

  constructor(
    private readonly wsUrls: string[],
    private readonly cookie: string,
    readonly name: string,
  ) {
    this.node = counter++ % wsUrls.length;
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  join(roomId: string): void {
    if (!this.rooms.has(roomId))
      this.rooms.set(roomId, { seqs: [], early: new Map(), joined: false, backfilling: false });
    this.sendJoin(roomId);
  }

  send(roomId: string, body: string): string {
    const clientId = `r${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const frame: ClientFrame = { type: "send", roomId, clientId, body };
    this.outbox.set(clientId, frame);
    if (this.rooms.get(roomId)?.joined) this.write(frame);
    return clientId;
  }

  get pending(): number {
    return this.outbox.size;
  }

  /** Drops the connection without a goodbye; reconnects after `pauseMs`. */
  drop(pauseMs = 0): void {
    this.paused = true;
    this.socket?.terminate();
    setTimeout(() => {
      this.paused = false;
      if (!this.stopped && !this.connected) this.open();
    }, pauseMs);
  }

  stop(): void {
    this.stopped = true;
    this.socket?.terminate();
  }

  lastSeq(roomId: string): number {
    return this.rooms.get(roomId)?.seqs.at(-1) ?? 0;
  }

  private open(): void {
    const url = this.wsUrls[this.node % this.wsUrls.length] as string;
    const origin = new URL(url).origin.replace(/^ws/, "http");
    const socket = new WebSocket(url, { headers: { cookie: this.cookie, origin } });
    this.socket = socket;
    socket.on("message", (data) => this.receive(JSON.parse(data.toString()) as ServerFrame));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      if (this.socket !== socket) return;
      for (const room of this.rooms.values()) room.joined = false;
      if (this.stopped || this.paused) return;
      this.reconnects++;
      this.node++;
      setTimeout(
        () => {
          if (!this.stopped && !this.paused && this.socket === socket) this.open();
        },
        50 + Math.random() * 150,
      );
    });
  }

  private sendJoin(roomId: string): void {
    const since = this.lastSeq(roomId);
    this.write({ type: "join", roomId, since });
  }

  private write(frame: ClientFrame): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  private receive(frame: ServerFrame): void {
    switch (frame.type) {
      case "hello":
        for (const roomId of this.rooms.keys()) this.sendJoin(roomId);
        return;
      case "joined": {
        const room = this.rooms.get(frame.room.id);
        if (!room) return;
        const first = frame.messages[0];
        if (first && first.seq > this.lastSeq(frame.room.id) + 1) {
          // Too much was missed for one resume: the newest page came, the hole is filled from history.
          for (const message of frame.messages) room.early.set(message.seq, message);
          void this.backfill(frame.room.id, room);
        } else {
          for (const message of frame.messages) this.accept(room, message);
        }
        room.joined = true;
        for (const pending of this.outbox.values()) {
          if (pending.type === "send" && pending.roomId === frame.room.id) this.write(pending);
        }
        return;
      }
      case "message": {
        const room = this.rooms.get(frame.message.roomId);
        if (room) this.accept(room, frame.message);
        return;
      }
      case "ack":
        this.acked.set(frame.clientId, frame.seq);
        this.outbox.delete(frame.clientId);
        return;
      case "error":
        this.errors.push(frame);
        // Refused for a passing reason: leave it in the outbox, it goes again on the next join.
        return;
      default:
        return;
    }
  }

  private async backfill(roomId: string, room: RoomLog): Promise<void> {
    if (room.backfilling) return;
    room.backfilling = true;
    try {
      const base = new URL(this.wsUrls[0] as string).origin.replace(/^ws/, "http");
      while (room.early.size > 0) {
        const lowestEarly = Math.min(...room.early.keys());
        const last = this.lastSeq(roomId);
        if (lowestEarly <= last) {
          room.early.delete(lowestEarly);
          continue;
        }
        if (lowestEarly === last + 1) {
          const next = room.early.get(lowestEarly) as Message;
          room.early.delete(lowestEarly);
          this.accept(room, next);
          continue;
        }
        const before = Math.min(lowestEarly, last + 201);
        const response = await fetch(`${base}/api/rooms/${roomId}/messages?limit=200&before=${before}`, {
          headers: { cookie: this.cookie },
        });
        if (!response.ok) throw new Error(`history ${response.status}`);
        const page = (await response.json()) as { messages: Message[] };
        const missing = page.messages.filter((m) => m.seq > last);
        if (missing.length === 0) throw new Error(`no history between ${last} and ${before}`);
        for (const message of missing) room.early.set(message.seq, message);
      }
      // Whatever arrives ahead of a hole meanwhile waits in `early`; the loop drains it all.
    } catch {
      // The server is restarting; the next join resumes from where this stopped.
    } finally {
      room.backfilling = false;
    }
  }

  private accept(room: RoomLog, message: Message): void {
    const last = room.seqs.at(-1) ?? 0;
    if (message.seq <= last || room.early.has(message.seq)) {
      this.duplicates++;
      return;
    }
    if (message.seq > last + 1) {
      // A hole: hold this one and ask for what is missing.
      room.early.set(message.seq, message);
      if (room.early.size === 1 && !room.backfilling) this.sendJoin(message.roomId);
      return;
    }
    room.seqs.push(message.seq);
    for (let next = room.early.get(message.seq + 1); next; next = room.early.get(next.seq + 1)) {
      room.early.delete(next.seq);
      room.seqs.push(next.seq);
    }
  }
}
