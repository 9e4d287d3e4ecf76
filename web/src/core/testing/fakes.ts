import { ClientFrame, type Member, type Room, type ServerFrame } from "@parley/protocol";
import type {
  ClientSocket,
  Clock,
  HttpFetch,
  HttpResponse,
  KeyValueStorage,
  OpenSocket,
  PageControl,
  Random,
  SocketClose,
  SocketHandlers,
} from "../ports.js";

/** Fakes of the core's ports for unit tests: no browser, no server, no real time. */

/** A clock that moves only when told; timers fire in time order. */
export class FakeClock implements Clock {
  private time = 1_000_000;
  private nextId = 0;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): () => void {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + Math.max(0, ms), callback });
    return () => this.timers.delete(id);
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let due: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.timers)
        if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = Math.max(this.time, due[1].at);
      due[1].callback();
    }
    this.time = end;
  }

  /** When the next timer is due, or undefined. */
  nextTimerAt(): number | undefined {
    let next: number | undefined;
    for (const { at } of this.timers.values()) if (next === undefined || at < next) next = at;
    return next;
  }
}

/** One socket of the fake server: what the client sent, and buttons to answer or break it. */
export class FakeSocket implements ClientSocket {
  readonly sent: ClientFrame[] = [];
  open = false;
  closedByClient: { code?: number; reason?: string } | undefined;

  constructor(private readonly handlers: SocketHandlers) {}

  send(text: string): boolean {
    if (!this.open) return false;
    this.sent.push(ClientFrame.parse(JSON.parse(text)));
    return true;
  }

  close(code?: number, reason?: string): void {
    this.closedByClient = { code, reason };
    this.open = false;
  }

  /** The upgrade succeeded. */
  accept(): void {
    this.open = true;
    this.handlers.onOpen();
  }

  /** Accepts and greets: the client is connected. */
  greet(user: Member): void {
    this.accept();
    this.deliver({ type: "hello", user });
  }

  deliver(frame: ServerFrame): void {
    this.handlers.onText(JSON.stringify(frame));
  }

  deliverText(text: string): void {
    this.handlers.onText(text);
  }

  /** The connection is lost (or refused, before `accept`). */
  drop(close: SocketClose = { code: 1006, reason: "" }): void {
    this.open = false;
    this.handlers.onClose(close);
  }

  sentOfType<T extends ClientFrame["type"]>(type: T): Extract<ClientFrame, { type: T }>[] {
    return this.sent.filter((frame): frame is Extract<ClientFrame, { type: T }> => frame.type === type);
  }
}

/** Records every socket the client opens; the test drives each one. */
export class FakeSockets {
  readonly opened: FakeSocket[] = [];

  readonly open: OpenSocket = (handlers) => {
    const socket = new FakeSocket(handlers);
    this.opened.push(socket);
    return socket;
  };

  get last(): FakeSocket {
    const socket = this.opened.at(-1);
    if (!socket) throw new Error("no socket was opened");
    return socket;
  }
}

export class MemoryStorage implements KeyValueStorage {
  readonly values = new Map<string, string>();
  failing = false;

  get(key: string): string | null {
    if (this.failing) throw new Error("storage is unavailable");
    return this.values.get(key) ?? null;
  }

  set(key: string, value: string): void {
    if (this.failing) throw new Error("storage is full");
    this.values.set(key, value);
  }

  remove(key: string): void {
    this.values.delete(key);
  }
}

interface FakeAnswer {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A REST server of canned answers by "METHOD path"; records every request. */
export class FakeHttp {
  readonly requests: string[] = [];
  private readonly routes = new Map<string, (body: unknown) => FakeAnswer>();

  on(route: string, answer: FakeAnswer | ((body: unknown) => FakeAnswer)): this {
    this.routes.set(route, typeof answer === "function" ? answer : () => answer);
    return this;
  }

  readonly fetch: HttpFetch = async (path, request) => {
    const key = `${request.method} ${path}`;
    this.requests.push(key);
    const route = this.routes.get(key);
    const answer = route
      ? route(request.body === undefined ? undefined : JSON.parse(request.body))
      : { status: 404 };
    const status = answer.status ?? 200;
    const headers = new Map(
      Object.entries(answer.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
    );
    const response: HttpResponse = {
      status,
      ok: status >= 200 && status < 300,
      statusText: "",
      headers: { get: (name) => headers.get(name.toLowerCase()) ?? null },
      json: async () => answer.body,
    };
    return response;
  };
}

export class FakePage implements PageControl {
  visible = true;
  signInRequests = 0;
  reloads = 0;
  signedOutCount = 0;

  toSignIn(): void {
    this.signInRequests++;
  }
  reload(): void {
    this.reloads++;
  }
  signedOut(): void {
    this.signedOutCount++;
  }
  isVisible(): boolean {
    return this.visible;
  }
}

/** mulberry32: a small seeded generator, so jitter and client ids repeat run to run. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const ADA: Member = { id: "u-ada", name: "Ada", image: "/api/avatars/u-ada.svg" };
export const BOB: Member = { id: "u-bob", name: "Bob", image: "/api/avatars/u-bob.svg" };

export function room(id: string, slug = id): Room {
  return { id, slug, name: slug, createdAt: 1, kind: "open", createdBy: null };
}

/** Lets pending promise callbacks (fake REST answers) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
