import { describe, expect, it } from "vitest";
import { GROUP_WINDOW_MS, placeMessages } from "../../web/src/message-groups.js";

const at = (day: number, hour: number, minute = 0) => new Date(2026, 11, day, hour, minute).getTime();

describe("placeMessages", () => {
  it("groups one author's messages within the window and starts a day with a separator", () => {
    const placed = placeMessages([
      { authorId: "ada", createdAt: at(1, 23, 50) },
      { authorId: "ada", createdAt: at(1, 23, 52) },
      { authorId: "ada", createdAt: at(2, 0, 1) },
      { authorId: "bob", createdAt: at(2, 0, 2) },
      { authorId: "bob", createdAt: at(2, 0, 2) + GROUP_WINDOW_MS },
      { authorId: "bob", createdAt: at(2, 0, 8) + 1000, breakBefore: true },
    ]);
    expect(placed).toEqual([
      { newDay: true, continued: false },
      { newDay: false, continued: true },
      // A new day starts a new group even within the window.
      { newDay: true, continued: false },
      { newDay: false, continued: false },
      // Exactly the window apart: a new header.
      { newDay: false, continued: false },
      // The unread divider in between: a new header.
      { newDay: false, continued: false },
    ]);
  });
});
