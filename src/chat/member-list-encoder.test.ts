import { describe, expect, it } from "vitest";
import { MemberListEncoder } from "./member-list-encoder.js";

const decoder = new TextDecoder();
const ada = { id: "u-ada", name: 'Ada "the first" ☃', image: "/api/avatars/u-ada" };
const bob = { id: "u-bob", name: "Bob", image: "/api/avatars/u-bob" };

describe("the member list of joined, each member encoded once", () => {
  it("is the JSON of the list, whatever came before in the room", () => {
    const encoder = new MemberListEncoder();
    const cy = { id: "u-cy", name: "Cy", image: "/api/avatars/u-cy" };
    const lists = [[], [ada], [ada], [ada, bob], [ada, bob, cy], [bob, ada], [bob], [], [cy], [cy, ada, bob]];
    for (const list of lists) {
      expect(decoder.decode(encoder.encode("r1", list))).toBe(JSON.stringify(list));
      expect(decoder.decode(encoder.encode("r2", [...list].reverse()))).toBe(
        JSON.stringify([...list].reverse()),
      );
    }
  });

  it("shows a member's new name and picture once they change", () => {
    const encoder = new MemberListEncoder();
    encoder.encode("r", [ada, bob]);
    const renamed = { ...ada, name: "Ada L." };
    const repictured = { ...bob, image: "https://example.com/bob.png" };
    expect(JSON.parse(decoder.decode(encoder.encode("r", [renamed, repictured])))).toEqual([
      renamed,
      repictured,
    ]);
  });
});
