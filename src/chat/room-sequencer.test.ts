import type { Message } from "@parley/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RoomSequencer } from "./room-sequencer.js";

const message = (seq: number): Message => ({
  roomId: "r",
  seq,
  clientId: `c${seq}`,
  author: { id: "u", name: "U", image: "/u.svg" },
  body: String(seq),
  createdAt: 0,
});

describe("room sequencer", () => {
  let delivered: number[];
  let sequencer: RoomSequencer;

  beforeEach(() => {
    vi.useFakeTimers();
    delivered = [];
    sequencer = new RoomSequencer((m) => delivered.push(m.seq), 500);
  });
  afterEach(() => vi.useRealTimers());

  it("puts overtaken messages back in order and drops repeats", () => {
    for (const seq of [3, 5, 4, 4, 3, 6]) sequencer.accept(message(seq));
    expect(delivered).toEqual([3, 4, 5, 6]);
  });

  it("delivers anyway when a predecessor never comes", () => {
    sequencer.accept(message(1));
    sequencer.accept(message(3));
    sequencer.accept(message(4));
    expect(delivered).toEqual([1]);
    vi.advanceTimersByTime(500);
    expect(delivered).toEqual([1, 3, 4]);
    sequencer.accept(message(2));
    expect(delivered).toEqual([1, 3, 4]);
  });
});
