import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { InProcessBus } from "../bus/in-process-bus.js";
import type { BusEvent } from "./ports.js";
import {
  CALM_CHANGES_PER_BATCH,
  MAX_STRETCH,
  PresenceBatcher,
  SOCKETS_PER_CHANGE,
} from "./presence-batcher.js";

const member = (i: number) => ({ id: `u${i}`, name: `U${i}`, image: "/u.svg" });

type PresenceEvent = Extract<BusEvent, { kind: "presence" }>;

/** A bus whose presence events land in `frames`. */
function busOf(frames: PresenceEvent[]): InProcessBus {
  const bus = new InProcessBus();
  bus.subscribe((event) => {
    if (event.kind === "presence") frames.push(event);
  });
  return bus;
}

describe("presence changes gathered per room", () => {
  let frames: PresenceEvent[];
  let batcher: PresenceBatcher;

  beforeEach(() => {
    // Simulated time: the test steps the batcher's clock, it does not wait for it.
    vi.useFakeTimers();
    frames = [];
    batcher = new PresenceBatcher(busOf(frames), 100);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends each room one frame per interval while few come and go", async () => {
    batcher.joined("r1", member(1));
    batcher.joined("r1", member(2));
    batcher.joined("r2", member(3));
    await vi.advanceTimersByTimeAsync(100);
    expect(frames.map((frame) => [frame.roomId, frame.joined.length])).toEqual([
      ["r1", 2],
      ["r2", 1],
    ]);
    batcher.left("r1", "u1");
    await vi.advanceTimersByTimeAsync(100);
    expect(frames.at(-1)).toEqual({ kind: "presence", roomId: "r1", joined: [], left: ["u1"] });
  });

  it("waits longer between frames while many join at once, and goes back once it is calm", async () => {
    const storm = CALM_CHANGES_PER_BATCH * 4;
    for (let i = 0; i < storm; i++) batcher.joined(`r${i % 3}`, member(i));
    await vi.advanceTimersByTimeAsync(100);
    expect(frames).toHaveLength(3);
    // Four times the calm number of changes: the next frame waits four intervals.
    batcher.joined("r0", member(-1));
    await vi.advanceTimersByTimeAsync(399);
    expect(frames).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(frames).toHaveLength(4);
    // That interval was calm: the next frame comes after one interval again.
    batcher.joined("r0", member(-2));
    await vi.advanceTimersByTimeAsync(100);
    expect(frames).toHaveLength(5);
  });

  it("waits longer after a frame that reached many sockets per change, counted from that frame", async () => {
    const big = new PresenceBatcher(busOf(frames), 100, () => SOCKETS_PER_CHANGE * 5);
    big.joined("r", member(1));
    await vi.advanceTimersByTimeAsync(100);
    expect(frames).toHaveLength(1);
    // One change reached five times the sockets it may: the next frame comes five intervals after it.
    big.joined("r", member(2));
    await vi.advanceTimersByTimeAsync(499);
    expect(frames).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(frames).toHaveLength(2);
    // Long after the last frame, a change waits one interval, as always.
    await vi.advanceTimersByTimeAsync(10_000);
    big.joined("r", member(3));
    await vi.advanceTimersByTimeAsync(100);
    expect(frames).toHaveLength(3);
  });

  it("never stretches an interval past its limit", async () => {
    for (let i = 0; i < CALM_CHANGES_PER_BATCH * MAX_STRETCH * 5; i++) batcher.joined("r", member(i));
    await vi.advanceTimersByTimeAsync(100);
    batcher.joined("r", member(-1));
    await vi.advanceTimersByTimeAsync(100 * MAX_STRETCH);
    expect(frames).toHaveLength(2);
  });
});
