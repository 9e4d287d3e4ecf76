import { describe, expect, it } from "vitest";
import { ConnectAdmission } from "./connect-admission.js";

function clockAt(start = 0) {
  const clock = { ms: start, now: () => clock.ms };
  return clock;
}

describe("ConnectAdmission", () => {
  it("admits a second's worth at once, then refuses with waits that spread the rest over the seconds ahead", () => {
    const clock = clockAt();
    const admission = new ConnectAdmission(100, clock.now);
    const waits = Array.from({ length: 450 }, () => admission.admit());
    expect(waits.slice(0, 100).every((wait) => wait === undefined)).toBe(true);
    const refused = waits.slice(100) as number[];
    // 350 refused at 100/s: a hundred told 1 s, a hundred 2 s, a hundred 3 s, fifty 4 s.
    expect(refused.filter((wait) => wait === 1)).toHaveLength(100);
    expect(refused.filter((wait) => wait === 2)).toHaveLength(100);
    expect(refused.filter((wait) => wait === 3)).toHaveLength(100);
    expect(refused.filter((wait) => wait === 4)).toHaveLength(50);
  });

  it("admits the clients told to wait when they come back at their time", () => {
    const clock = clockAt();
    const admission = new ConnectAdmission(10, clock.now);
    for (let i = 0; i < 10; i++) expect(admission.admit()).toBeUndefined();
    const toldOneSecond = Array.from({ length: 10 }, () => admission.admit());
    expect(toldOneSecond).toEqual(Array(10).fill(1));
    clock.ms += 1000;
    for (let i = 0; i < 10; i++) expect(admission.admit()).toBeUndefined();
    expect(admission.admit()).toBe(1);
  });

  it("tells a probe whether admission is closed, without taking a place", () => {
    const clock = clockAt();
    const admission = new ConnectAdmission(2, clock.now);
    expect(admission.currentWait()).toBeUndefined();
    admission.admit();
    admission.admit();
    expect(admission.currentWait()).toBe(1);
    expect(admission.currentWait()).toBe(1);
    expect(admission.admit()).toBe(1);
    clock.ms += 500;
    // Half a second refilled one token.
    expect(admission.currentWait()).toBeUndefined();
  });

  it("never tells a client to wait more than five minutes", () => {
    const admission = new ConnectAdmission(1, clockAt().now);
    let last: number | undefined;
    for (let i = 0; i < 1000; i++) last = admission.admit();
    expect(last).toBe(300);
  });
});
