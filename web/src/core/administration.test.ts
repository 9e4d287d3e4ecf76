import { describe, expect, it } from "vitest";
import { ADA, room, settle } from "./testing/fakes.js";
import { connect, harness, joined } from "./testing/harness.js";

const general = room("r1", "general");
const plans = room("r2", "plans");

describe("room settings and activity in the client core", () => {
  it("knows whether the signed-in person is an administrator", async () => {
    const h = harness();
    h.http.on("GET /api/me", { body: { user: ADA, role: "administrator" } });
    await connect(h);
    expect(h.core.getState().role).toBe("administrator");
  });

  it("takes a rename, a topic and an archive from room_updated, and drops a deleted room", async () => {
    const h = harness({ rooms: [general, plans] });
    const socket = await connect(h);
    h.core.openSlug("plans");
    socket.deliver(joined(plans, []));
    socket.deliver({ type: "room_updated", room: { ...plans, name: "Roadmap", topic: "Q3" } });
    expect(h.core.getState().rooms.find((r) => r.id === plans.id)).toMatchObject({
      name: "Roadmap",
      topic: "Q3",
    });
    socket.deliver({
      type: "room_updated",
      room: { ...plans, name: "Roadmap", topic: "Q3", archived: true },
    });
    expect(h.core.getState().rooms.find((r) => r.id === plans.id)?.archived).toBe(true);
    socket.deliver({ type: "room_deleted", roomId: plans.id });
    expect(h.core.getState().rooms.map((r) => r.id)).toEqual([general.id]);
    // The room on screen is gone: the page says so instead of showing a dead room.
    expect(h.core.getState().route).toEqual({ slug: "plans", status: "missing" });
  });

  it("reports activity at most once per interval from hello", async () => {
    const h = harness();
    h.core.start();
    await settle();
    const socket = h.sockets.last;
    socket.accept();
    socket.deliver({ type: "hello", user: ADA, activityReportMs: 60_000, awayAfterMs: 240_000 });
    // A tab that just connected counts as used.
    expect(socket.sentOfType("active")).toHaveLength(1);
    h.core.reportActivity();
    h.clock.advance(59_999);
    h.core.reportActivity();
    expect(socket.sentOfType("active")).toHaveLength(1);
    h.clock.advance(1);
    h.core.reportActivity();
    expect(socket.sentOfType("active")).toHaveLength(2);
  });
});
