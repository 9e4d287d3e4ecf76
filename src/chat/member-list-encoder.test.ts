import { describe, expect, it } from "vitest";
import { MemberListEncoder } from "./member-list-encoder.js";

const decoder = new TextDecoder();
const ada = { id: "u-ada", name: 'Ada "the first" ☃', image: "/api/avatars/u-ada" };
const bob = { id: "u-bob", name: "Bob", image: "/api/avatars/u-bob" };

describe("the member list of joined, each member encoded once", () => {
  it("is the JSON of the list, for any list", () => {
    const encoder = new MemberListEncoder();
    for (const list of [[], [ada], [ada, bob], [bob, ada], [bob]]) {
      expect(decoder.decode(encoder.encode(list))).toBe(JSON.stringify(list));
    }
  });

  it("shows a member's new name and picture once they change", () => {
    const encoder = new MemberListEncoder();
    encoder.encode([ada, bob]);
    const renamed = { ...ada, name: "Ada L." };
    const repictured = { ...bob, image: "https://example.com/bob.png" };
    expect(JSON.parse(decoder.decode(encoder.encode([renamed, repictured])))).toEqual([renamed, repictured]);
  });
});
