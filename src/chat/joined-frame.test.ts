import { encodeFrame, JoinedFrame } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { encodeJoined } from "./joined-frame.js";

const decoder = new TextDecoder();
const ada = { id: "u-ada", name: 'Ada "the first" ☃', image: "/api/avatars/u-ada" };
const bob = { id: "u-bob", name: "Bob", image: "/api/avatars/u-bob" };

describe("a joined frame with its member list already encoded", () => {
  it("is byte for byte the frame encoded whole, and valid", () => {
    const room = {
      id: "r1",
      slug: "general",
      name: "General",
      createdAt: 1,
      kind: "open" as const,
      createdBy: null,
    };
    const own = {
      users: [ada],
      messages: [{ roomId: "r1", seq: 3, clientId: "c3", authorId: ada.id, body: "hi ✓", createdAt: 5 }],
      hasOlder: true,
      lastReadSeq: 2,
      changed: [],
      lastChangeSeq: 0,
    };
    const members = [ada, bob];
    const spliced = encodeJoined({ room, ...own }, new TextEncoder().encode(JSON.stringify(members)));
    const whole = encodeFrame({ type: "joined", room, members, ...own });
    expect(decoder.decode(spliced)).toBe(decoder.decode(whole));
    expect(JoinedFrame.parse(JSON.parse(decoder.decode(spliced)))).toMatchObject({ members, lastReadSeq: 2 });
  });
});
