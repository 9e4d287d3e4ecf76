import { describe, expect, it } from "vitest";
import { findMentions, mentionIndex, mentionQueryAt, roomWideMention } from "./mentions.js";

const people = mentionIndex([
  { id: "ada", name: "Ada" },
  { id: "ada-l", name: "Ada Lovelace" },
  { id: "aoki", name: "青木" },
  { id: "ben", name: "Ben" },
]);

const mentioned = (body: string) =>
  findMentions(body, people).map((found) => (found.kind === "person" ? found.userId : `@${found.kind}`));

describe("@mentions", () => {
  it("finds people by display name, longest name first, ignoring case", () => {
    expect(mentioned("@Ada Lovelace and @ada, and @BEN.")).toEqual(["ada-l", "ada", "ben"]);
    expect(mentioned("@Adam is nobody here")).toEqual([]);
  });

  it("needs the @ at a word start: e-mail addresses are no mentions", () => {
    expect(mentioned("mail ada@example.com or x@Ben")).toEqual([]);
    expect(mentioned("(@Ben)")).toEqual(["ben"]);
  });

  it("reads Japanese without spaces after a name", () => {
    expect(mentioned("@青木さん、明日の会議は？")).toEqual(["aoki"]);
  });

  it("knows @here and @room, but not @roomy", () => {
    expect(mentioned("@here @room @roomy")).toEqual(["@here", "@room"]);
    expect(roomWideMention("ping @room please")).toBe("room");
    expect(roomWideMention("no wide mention, @Ben")).toBeUndefined();
  });

  it("reports offsets that cut the text exactly", () => {
    const body = "hi @Ada Lovelace!";
    const [found] = findMentions(body, people);
    expect(found && body.slice(found.start, found.end)).toBe("@Ada Lovelace");
  });

  it("finds the mention being typed at the caret", () => {
    expect(mentionQueryAt("hello @Ad", 9)).toEqual({ start: 6, query: "Ad" });
    expect(mentionQueryAt("hello @Ada Lo", 13)).toEqual({ start: 6, query: "Ada Lo" });
    expect(mentionQueryAt("mail ada@ex", 11)).toBeUndefined();
    expect(mentionQueryAt("@Ada\nnext", 9)).toBeUndefined();
    expect(mentionQueryAt("no at sign", 5)).toBeUndefined();
  });
});
