import type { ClientFrame, ExpandedPage, Member, ServerFrame } from "@parley/protocol";
import { expandPage, HistoryPage, ServerFrame as ServerFrameSchema } from "@parley/protocol";
import WebSocket from "ws";

export interface SignedInUser {
  cookie: string;
  user: Member;
}

/** Dev sign-in over HTTP, as the browser does it; returns the session cookie. */
export async function signIn(baseUrl: string, name: string): Promise<SignedInUser> {
  const response = await fetch(`${baseUrl}/api/auth/sign-in/anonymous`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: baseUrl },
    body: JSON.stringify({ name }),
  });
  if (!response.ok) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  const cookie = response.headers
    .getSetCookie()
    .map((header) => header.split(";")[0])
    .join("; ");
  const me = await fetch(`${baseUrl}/api/me`, { headers: { cookie } });
  const { user } = (await me.json()) as { user: Member };
  return { cookie, user };
}

/**
 * A history page answer, checked against the protocol (every authorId in `users`) and with its
 * messages' authors put back, as clients see it.
 */
export async function readHistoryPage(response: Response): Promise<ExpandedPage<HistoryPage>> {
  return expandPage(HistoryPage.parse(await response.json()));
}

export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A protocol-speaking test client that records every frame it receives, validated by the protocol schemas. */
export class ChatClient {
  readonly received: ServerFrame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => {
      this.received.push(ServerFrameSchema.parse(JSON.parse(data.toString())));
    });
    this.closed = new Promise((resolve) => {
      socket.on("close", (code, reason) => resolve({ code, reason: reason.toString() }));
    });
  }

  static connect(wsUrl: string, cookie: string, origin = new URL(wsUrl).origin.replace(/^ws/, "http")) {
    const socket = new WebSocket(wsUrl, { headers: { cookie, origin } });
    const client = new ChatClient(socket);
    return new Promise<ChatClient>((resolve, reject) => {
      socket.once("error", reject);
      socket.once("unexpected-response", (_request, response) =>
        reject(new Error(`upgrade refused: ${response.statusCode}`)),
      );
      client.waitFor((frame) => frame.type === "hello").then(() => resolve(client), reject);
    });
  }

  send(frame: ClientFrame | Record<string, unknown>): void {
    this.socket.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer): void {
    this.socket.send(data);
  }

  /** The first received frame that matches, waiting for it if needed. */
  async waitFor<T extends ServerFrame>(
    predicate: (frame: ServerFrame) => frame is T,
    timeoutMs?: number,
  ): Promise<T>;
  async waitFor(predicate: (frame: ServerFrame) => boolean, timeoutMs?: number): Promise<ServerFrame>;
  async waitFor(predicate: (frame: ServerFrame) => boolean, timeoutMs = 5000): Promise<ServerFrame> {
    let found: ServerFrame | undefined;
    await waitUntil(
      () => {
        found = this.received.find(predicate);
        return found !== undefined;
      },
      "a matching frame",
      timeoutMs,
    );
    return found as ServerFrame;
  }

  async join(roomId: string, since?: number) {
    const before = this.received.length;
    this.send({ type: "join", roomId, ...(since === undefined ? {} : { since }) });
    await waitUntil(
      () => this.received.slice(before).some((f) => f.type === "joined" && f.room.id === roomId),
      `joined ${roomId}`,
    );
    const joined = this.received
      .slice(before)
      .find(
        (f): f is Extract<ServerFrame, { type: "joined" }> => f.type === "joined" && f.room.id === roomId,
      );
    if (!joined) throw new Error("unreachable");
    return joined;
  }

  messages(roomId: string) {
    return this.received.flatMap((frame) =>
      frame.type === "message" && frame.message.roomId === roomId ? [frame.message] : [],
    );
  }

  errors() {
    return this.received.filter((frame) => frame.type === "error");
  }

  close(): Promise<{ code: number; reason: string }> {
    this.socket.close();
    return this.closed;
  }
}
