import { describe, expect, it } from "vitest";
import { BACKOFF_CAP_MS, parseRetryAfter, reconnectDelay } from "./backoff.js";
import { Connection, type ConnectionStatus, HELLO_TIMEOUT_MS } from "./connection.js";
import { ADA, FakeClock, FakeSockets, seededRandom } from "./testing/fakes.js";

function connection(seed = 1) {
  const clock = new FakeClock();
  const sockets = new FakeSockets();
  const statuses: ConnectionStatus[] = [];
  const events: string[] = [];
  const conn = new Connection(sockets.open, clock, seededRandom(seed), {
    onFrame: (frame) => events.push(frame.type),
    onStatus: (status) => statuses.push(status),
    onUnauthorized: () => events.push("unauthorized"),
    onDroppedBeforeHello: () => events.push("dropped before hello"),
  });
  return { conn, clock, sockets, statuses, events };
}

/** How long after `from` the next socket opens. */
function waitForNextSocket(clock: FakeClock, sockets: FakeSockets): number {
  const count = sockets.opened.length;
  const start = clock.now();
  const at = clock.nextTimerAt();
  if (at === undefined) throw new Error("nothing scheduled");
  clock.advance(at - start);
  if (sockets.opened.length !== count + 1) throw new Error("the timer did not open a socket");
  return at - start;
}

describe("reconnect delays", () => {
  it("grow exponentially with jitter in [ceiling/2, ceiling], up to the cap", () => {
    const random = seededRandom(7);
    for (let attempt = 0; attempt < 12; attempt++) {
      const ceiling = Math.min(BACKOFF_CAP_MS, 300 * 2 ** attempt);
      const delays = Array.from({ length: 50 }, () => reconnectDelay(attempt, random));
      for (const delay of delays) {
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
      }
      // Jitter: fifty clients do not all pick the same moment.
      expect(new Set(delays).size).toBeGreaterThan(40);
    }
  });

  it("never come back before a server's hint, and spread out after it", () => {
    const random = seededRandom(3);
    const delays = Array.from({ length: 50 }, () => reconnectDelay(0, random, 5000));
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(5000);
      expect(delay).toBeLessThanOrEqual(6000);
    }
    expect(new Set(delays).size).toBeGreaterThan(40);
  });

  it("reads Retry-After as seconds or as a date", () => {
    expect(parseRetryAfter("3", 0)).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter(null, 0)).toBeUndefined();
    expect(parseRetryAfter("soon", 0)).toBeUndefined();
  });
});

describe("the connection", () => {
  it("is connected only after hello, and reconnects with backoff that resets after a greeting", () => {
    const { conn, clock, sockets, statuses } = connection();
    conn.start();
    expect(conn.send({ type: "leave", roomId: "r" })).toBe(false);
    sockets.last.greet(ADA);
    expect(statuses).toEqual(["connected"]);
    expect(conn.send({ type: "leave", roomId: "r" })).toBe(true);

    sockets.last.drop();
    expect(statuses.at(-1)).toBe("reconnecting");
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      waits.push(waitForNextSocket(clock, sockets));
      sockets.last.drop();
    }
    expect(waits[0]).toBeLessThanOrEqual(300);
    expect(waits[3]).toBeGreaterThanOrEqual(1200);
    waitForNextSocket(clock, sockets);
    sockets.last.greet(ADA);
    sockets.last.drop();
    expect(waitForNextSocket(clock, sockets)).toBeLessThanOrEqual(300);
    expect(conn.reconnects).toBe(6);
  });

  it("honours a Retry-After hint on a refused upgrade", () => {
    const { conn, clock, sockets, events } = connection();
    conn.start();
    sockets.last.drop({ code: 1006, reason: "", retryAfterMs: 30_000 });
    expect(events).toEqual(["dropped before hello"]);
    expect(waitForNextSocket(clock, sockets)).toBeGreaterThanOrEqual(30_000);
  });

  it("pushes a scheduled attempt out when told of a hint later (from an HTTP check)", () => {
    const { conn, clock, sockets } = connection();
    conn.start();
    sockets.last.drop();
    conn.honourRetryHint(20_000);
    expect(waitForNextSocket(clock, sockets)).toBeGreaterThanOrEqual(20_000);
  });

  it("gives up on a socket that opens but never says hello", () => {
    const { conn, clock, sockets } = connection();
    conn.start();
    const silent = sockets.last;
    silent.accept();
    clock.advance(HELLO_TIMEOUT_MS);
    expect(silent.closedByClient).toBeDefined();
    waitForNextSocket(clock, sockets);
  });

  it("reconnects at once when the network returns, and drops a socket when it goes", () => {
    const { conn, clock, sockets, statuses } = connection();
    conn.start();
    sockets.last.greet(ADA);
    conn.dropNow();
    expect(statuses.at(-1)).toBe("reconnecting");
    expect(sockets.opened).toHaveLength(1);
    conn.reconnectNow();
    expect(sockets.opened).toHaveLength(2);
    sockets.last.greet(ADA);
    // The first socket's late close is not this connection's business any more.
    sockets.opened[0]?.drop();
    expect(statuses.at(-1)).toBe("connected");
    expect(clock.nextTimerAt()).toBeUndefined();
  });

  it("stops for good on 4001", () => {
    const { conn, clock, sockets, events } = connection();
    conn.start();
    sockets.last.greet(ADA);
    sockets.last.drop({ code: 4001, reason: "session ended" });
    expect(events).toContain("unauthorized");
    expect(clock.nextTimerAt()).toBeUndefined();
  });
});
