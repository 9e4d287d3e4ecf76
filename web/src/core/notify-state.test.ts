import { TYPING_INTERVAL_MS, TYPING_SHOWN_MS } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { MentionTracker, mentionCount, totalMentions } from "./mentions.js";
import { TypingTracker } from "./typing.js";

const aiko = { id: "a", name: "Aiko", image: "/a.svg" };
const ben = { id: "b", name: "Ben", image: "/b.svg" };

describe("who is typing", () => {
  it("shows each person until TYPING_SHOWN_MS after their last frame, or until their message", () => {
    const typing = new TypingTracker();
    expect(typing.typed("r", aiko, 0)).toBe(true);
    expect(typing.typed("r", ben, 1000)).toBe(true);
    expect(typing.typing.r?.map((user) => user.name)).toEqual(["Aiko", "Ben"]);
    // Aiko types again: she keeps her place, and her time is renewed.
    typing.typed("r", aiko, 3000);
    expect(typing.nextExpiry()).toBe(1000 + TYPING_SHOWN_MS);
    expect(typing.expire(1000 + TYPING_SHOWN_MS)).toBe(true);
    expect(typing.typing.r?.map((user) => user.name)).toEqual(["Aiko"]);
    expect(typing.stopped("r", "a")).toBe(true);
    expect(typing.typing).toEqual({});
  });

  it("lets this client send at most one frame per interval per room, and anew after a send", () => {
    const typing = new TypingTracker();
    expect(typing.maySend("r", 0)).toBe(true);
    expect(typing.maySend("r", TYPING_INTERVAL_MS - 1)).toBe(false);
    expect(typing.maySend("other", 10)).toBe(true);
    typing.sent("r");
    expect(typing.maySend("r", 20)).toBe(true);
  });
});

describe("mention badges", () => {
  it("count mentions above the read position, apart from the unread count", () => {
    const mentions = new MentionTracker();
    mentions.replace([{ roomId: "r", seqs: [7, 3] }]);
    expect(mentions.add("r", 9)).toBe(true);
    expect(mentions.add("r", 9)).toBe(false);
    expect(mentions.mentions.r).toEqual([3, 7, 9]);
    expect(mentionCount(mentions.mentions.r, { lastSeq: 12, lastReadSeq: 5 })).toBe(2);
    expect(totalMentions(mentions.mentions, { r: { lastSeq: 12, lastReadSeq: 9 } })).toBe(0);
  });
});
