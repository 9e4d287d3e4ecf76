import { describe, expect, it } from "vitest";
import { matchMessage, requirementsOf, snippetOf } from "./matching.js";
import { parseSearch } from "./search-query.js";

describe("requirementsOf", () => {
  it("asks for every bigram of a run, a word as it is, and a lone CJK character as a prefix", () => {
    const [term] = parseSearch("東京都").terms;
    expect(term && requirementsOf(term)).toEqual([{ token: "東京" }, { token: "京都" }]);
    const [lone] = parseSearch("会").terms;
    expect(lone && requirementsOf(lone)).toEqual([{ prefix: "会" }]);
    const [word] = parseSearch("Release").terms;
    expect(word && requirementsOf(word)).toEqual([{ token: "release" }]);
  });
});

describe("matchMessage and snippetOf", () => {
  it("needs every term, phrases word after word", () => {
    const { terms } = parseSearch('"release notes"');
    expect(matchMessage(terms, "the release notes")).toBeDefined();
    expect(matchMessage(terms, "notes of the release")).toBeUndefined();
    expect(matchMessage(parseSearch("東京都").terms, "東京と京都")).toBeUndefined();
  });

  it("scores repeats (up to three) and marks every occurrence", () => {
    const match = matchMessage(parseSearch("review").terms, "Review: review it");
    expect(match?.score).toBe(2);
    expect(match?.highlights).toEqual([
      { start: 0, end: 6 },
      { start: 8, end: 14 },
    ]);
  });

  it("cuts a long message around the first match, keeping the marks on the shown text", () => {
    const body = `${"a ".repeat(200)}needle${" b".repeat(200)}`;
    const match = matchMessage(parseSearch("needle").terms, body);
    const snippet = snippetOf(body, match?.highlights ?? []);
    expect(snippet.cutStart && snippet.cutEnd).toBe(true);
    const [mark] = snippet.highlights;
    expect(mark && snippet.text.slice(mark.start, mark.end)).toBe("needle");
  });
});
