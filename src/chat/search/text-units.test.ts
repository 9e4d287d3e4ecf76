import { describe, expect, it } from "vitest";
import { textUnits, tokensOf } from "./text-units.js";

describe("textUnits and tokensOf", () => {
  it("indexes CJK runs as bigrams plus the run's last character, and other text as words", () => {
    expect([...tokensOf("明日の会議")].sort()).toEqual(["の会", "会議", "日の", "明日", "議"].sort());
    expect([...tokensOf("Deploy to 東京, now!")].sort()).toEqual(
      ["deploy", "to", "東京", "京", "now"].sort(),
    );
  });

  it("meets full-width, half-width and upper-case forms in one form", () => {
    expect([...tokensOf("ＡＢＣ")]).toEqual(["abc"]);
    expect([...tokensOf("ｶﾞｲﾄﾞ")]).toEqual([...tokensOf("ガイド")]);
    expect(textUnits("ｶﾞｲﾄﾞ").map((u) => [u.start, u.end])).toEqual([
      [0, 2],
      [2, 3],
      [3, 5],
    ]);
  });

  it("keeps CJK characters split by a space apart", () => {
    expect(tokensOf("東 京").has("東京")).toBe(false);
  });

  it("cuts very long words, never inside a surrogate pair", () => {
    const [token] = tokensOf("𝒜".repeat(60));
    expect([...(token ?? "")].length).toBe(48);
  });
});
