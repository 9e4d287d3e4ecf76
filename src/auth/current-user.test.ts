import { describe, expect, it } from "vitest";
import type { Auth } from "./auth.js";
import { CurrentUser } from "./current-user.js";

/** better-auth's getSession, answering for the cookies "sid=<session id>" whose session is in `valid`. */
function fakeAuth(valid: Set<string>) {
  const calls: string[] = [];
  const auth = {
    api: {
      async getSession({ headers }: { headers: Headers }) {
        const sessionId = headers.get("cookie")?.replace("sid=", "") ?? "";
        calls.push(sessionId);
        if (!valid.has(sessionId)) return null;
        return { user: { id: `user-${sessionId}`, name: "Ann", image: null }, session: { id: sessionId } };
      },
    },
  } as unknown as Auth;
  return { auth, calls };
}

function setup(options: { maxEntries?: number; staleCopies?: string[] } = {}) {
  const valid = new Set(["s1", "s2", "s3"]);
  /** Sessions in SQL; better-auth may still answer from a Redis copy of one that is gone. */
  const inSql = valid;
  const { auth, calls } = fakeAuth(options.staleCopies ? new Set([...valid, ...options.staleCopies]) : valid);
  let now = 1_000;
  const confirmed: string[] = [];
  const currentUser = new CurrentUser(
    auth,
    async (ids) => {
      confirmed.push(...ids);
      return new Set(ids.filter((id) => inSql.has(id)));
    },
    { reuseMs: 60_000, maxEntries: options.maxEntries ?? 100, now: () => now },
  );
  return {
    valid,
    calls,
    confirmed,
    lookup: (sessionId: string) => currentUser.lookup({ cookie: `sid=${sessionId}` }),
    currentUser,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe("the current-user lookup", () => {
  it("checks a new cookie in full, then only confirms its session while the reuse window lasts", async () => {
    const { calls, confirmed, lookup, advance } = setup();
    expect((await lookup("s1"))?.member.id).toBe("user-s1");
    expect(calls).toEqual(["s1"]);
    expect((await lookup("s1"))?.sessionId).toBe("s1");
    expect(calls).toEqual(["s1"]);
    // Confirmed in SQL after the full check too, then on reuse.
    expect(confirmed).toEqual(["s1", "s1"]);
    advance(60_001);
    await lookup("s1");
    expect(calls).toEqual(["s1", "s1"]);
  });

  it("refuses a remembered cookie as soon as its session is gone, without waiting for the window", async () => {
    const { valid, calls, lookup } = setup();
    await lookup("s2");
    valid.delete("s2");
    expect(await lookup("s2")).toBeNull();
    // Forgotten: the next try goes through the full check, which refuses it too.
    expect(await lookup("s2")).toBeNull();
    expect(calls).toEqual(["s2", "s2"]);
  });

  it("refuses a session better-auth still finds (a Redis copy) but SQL no longer holds", async () => {
    const { calls, lookup } = setup({ staleCopies: ["ended"] });
    expect(await lookup("ended")).toBeNull();
    expect(await lookup("ended")).toBeNull();
    expect(calls).toEqual(["ended", "ended"]);
  });

  it("forgets the oldest cookie past the limit", async () => {
    const { calls, lookup } = setup({ maxEntries: 2 });
    await lookup("s1");
    await lookup("s2");
    await lookup("s3");
    // s1, the oldest of three remembered, is checked in full again; s2 and s3 are not.
    await lookup("s3");
    await lookup("s2");
    await lookup("s1");
    expect(calls).toEqual(["s1", "s2", "s3", "s1"]);
  });

  it("answers no one without a cookie, and never remembers a refusal", async () => {
    const { calls, lookup, currentUser } = setup();
    expect(await currentUser.lookup({})).toBeNull();
    expect(calls).toEqual([]);
    expect(await lookup("unknown")).toBeNull();
    expect(await lookup("unknown")).toBeNull();
    expect(calls).toEqual(["unknown", "unknown"]);
  });
});
