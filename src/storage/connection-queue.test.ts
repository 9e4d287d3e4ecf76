import { describe, expect, it } from "vitest";
import { ConnectionQueue } from "./connection-queue.js";

describe("turns at a single connection", () => {
  it("gives the connection to one at a time, in the order they asked", async () => {
    const queue = new ConnectionQueue();
    const order: number[] = [];
    let holders = 0;
    const turn = async (i: number) => {
      await queue.take();
      holders++;
      expect(holders).toBe(1);
      order.push(i);
      await Promise.resolve();
      holders--;
      queue.release();
    };
    await Promise.all(Array.from({ length: 3000 }, (_, i) => turn(i)));
    expect(order).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    // Free again: the next taker gets it at once.
    await queue.take();
    queue.release();
  });
});
