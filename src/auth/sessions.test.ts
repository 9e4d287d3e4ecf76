import { describe, expect, it } from "vitest";
import { InProcessTopic } from "../bus/in-process-topic.js";
import type { Auth } from "./auth.js";
import { Sessions } from "./sessions.js";

/** The sessions service over a session table held in `live`, with one "node" per instance on one topic. */
function setup(topic = new InProcessTopic<string>()) {
  const live = new Set(["s1", "s2", "s3"]);
  const sweepFailures: unknown[] = [];
  const sessions = new Sessions(
    { api: { getSession: async () => null } } as unknown as Auth,
    async (ids) => new Set(ids.filter((id) => live.has(id))),
    topic,
    { confirmWindowMs: 60_000, maxCheckedCookies: 100, sweepIntervalMs: 60_000 },
    (error) => sweepFailures.push(error),
  );
  const ended: string[] = [];
  sessions.onEnded((sessionId) => ended.push(sessionId));
  return { sessions, live, ended, sweepFailures };
}

describe("the sessions service", () => {
  it("tells every node that holds the session when it ends, and nobody who does not", async () => {
    const topic = new InProcessTopic<string>();
    const nodeA = setup(topic);
    const nodeB = setup(topic);
    nodeA.sessions.watch("s1");
    nodeB.sessions.watch("s2");
    await nodeB.sessions.announceEnded("s1");
    expect(nodeA.ended).toEqual(["s1"]);
    expect(nodeB.ended).toEqual([]);
  });

  it("finds on its sweep the open sessions that ended without an announcement", async () => {
    const { sessions, live, ended } = setup();
    sessions.watch("s1");
    sessions.watch("s2");
    live.delete("s2"); // expired, or removed by hand in SQL
    expect(await sessions.sweep()).toEqual(["s2"]);
    expect(ended).toEqual(["s2"]);
  });

  it("keeps watching a session until its last connection is gone", async () => {
    const { sessions, live, ended } = setup();
    sessions.watch("s1");
    sessions.watch("s1");
    sessions.unwatch("s1");
    live.delete("s1");
    expect(await sessions.sweep()).toEqual(["s1"]);
    sessions.unwatch("s1");
    expect(await sessions.sweep()).toEqual([]);
    expect(ended).toEqual(["s1"]);
  });
});
