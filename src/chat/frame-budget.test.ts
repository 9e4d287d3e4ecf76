import { type Message, toPage } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { MAX_MESSAGE_BYTES_PER_PAGE, newestWithin, PageBytes } from "./frame-budget.js";

function message(seq: number, authorId: string, name: string): Message {
  return {
    roomId: "r",
    seq,
    clientId: `c${seq}`,
    author: { id: authorId, name, image: "/a.svg" },
    body: `${seq}`,
    createdAt: seq,
  };
}

describe("frame budget", () => {
  it("counts a page as its encoded users map and messages, each author once", () => {
    const messages = Array.from({ length: 20 }, (_, i) => message(i + 1, `u${i % 2}`, "N".repeat(5_000)));
    const bytes = new PageBytes();
    for (const m of messages) bytes.add(m);
    const page = toPage(messages);
    const encoded =
      Buffer.byteLength(JSON.stringify(page.users)) + Buffer.byteLength(JSON.stringify(page.messages));
    // The same bytes, give or take the commas and brackets of the two arrays.
    expect(Math.abs(bytes.total - encoded)).toBeLessThan(40);
    expect(bytes.total).toBeLessThan(2 * 5_100 + 20 * 120);
  });

  it("keeps the newest messages of many huge-named authors that fit, and at least the newest one", () => {
    const messages = Array.from({ length: 60 }, (_, i) => message(i + 1, `u${i}`, "N".repeat(200_000)));
    const page = newestWithin(messages, MAX_MESSAGE_BYTES_PER_PAGE);
    expect(page.trimmed).toBe(true);
    expect(page.messages.at(-1)?.seq).toBe(60);
    expect(page.messages.length).toBe(Math.floor(MAX_MESSAGE_BYTES_PER_PAGE / 200_100));
    const one = newestWithin([message(1, "u", "N".repeat(400_000))], 1000);
    expect(one).toEqual({ messages: [message(1, "u", "N".repeat(400_000))], trimmed: false });
  });
});
