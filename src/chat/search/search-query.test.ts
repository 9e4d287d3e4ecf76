import { describe, expect, it } from "vitest";
import { dayStart, parseSearch, SearchQueryError, timeWindow } from "./search-query.js";

function refusal(query: string): string | undefined {
  try {
    parseSearch(query);
    return undefined;
  } catch (error) {
    if (error instanceof SearchQueryError) return error.reason;
    throw error;
  }
}

describe("parseSearch", () => {
  it("reads words, phrases and filters, quoted values included", () => {
    const parsed = parseSearch('会議  "release notes" from:"Ann Lee" from:@ben in:#general on:2026-01-31');
    expect(parsed.terms.map((t) => t.text)).toEqual(["会議", "release notes"]);
    expect(parsed.from).toEqual(["Ann Lee", "ben"]);
    expect(parsed.in).toEqual(["general"]);
    expect(parsed.on).toEqual({ year: 2026, month: 1, day: 31 });
  });

  it("takes filter names in any case, and words that only look like filters as words", () => {
    const parsed = parseSearch("FROM:ann https://example.com note:this");
    expect(parsed.from).toEqual(["ann"]);
    expect(parsed.terms.map((t) => t.text)).toEqual(["https://example.com", "note:this"]);
  });

  it("leaves out punctuation that finds nothing", () => {
    expect(parseSearch("- !! 会議").terms.map((t) => t.text)).toEqual(["会議"]);
  });

  it("refuses what it cannot read, with a reason", () => {
    expect(refusal('"open phrase')).toBe("unclosed_quote");
    expect(refusal('from:"Ann')).toBe("unclosed_quote");
    expect(refusal("from:")).toBe("missing_value");
    expect(refusal('in:"" x')).toBe("missing_value");
    expect(refusal("on:2026-02-29")).toBe("bad_date");
    expect(refusal("after:31/01/2026")).toBe("bad_date");
    expect(refusal("before:2026-13-01")).toBe("bad_date");
    expect(refusal("after:2026-01-05 before:2026-01-06")).toBe("dates_reversed");
    expect(refusal("after:2026-01-05 before:2026-01-07")).toBeUndefined();
    expect(refusal("!!")).toBe("empty");
    expect(refusal(Array.from({ length: 13 }, (_, i) => `w${i}`).join(" "))).toBe("too_many_terms");
  });

  it("gives every refusal a message that says what to do", () => {
    try {
      parseSearch("on:tomorrow");
    } catch (error) {
      expect((error as Error).message).toContain("on:2026-01-31");
    }
    expect.assertions(1);
  });
});

describe("timeWindow", () => {
  it("turns days into instants in the searcher's time zone, after: and before: excluding the day", () => {
    const tokyo = 9 * 60;
    const day = { year: 2026, month: 1, day: 31 };
    expect(new Date(dayStart(day, tokyo)).toISOString()).toBe("2026-01-30T15:00:00.000Z");
    expect(timeWindow(parseSearch("x on:2026-01-31"), tokyo)).toEqual({
      since: Date.parse("2026-01-30T15:00:00Z"),
      until: Date.parse("2026-01-31T15:00:00Z"),
    });
    expect(timeWindow(parseSearch("x after:2026-01-31 before:2026-02-03"), 0)).toEqual({
      since: Date.parse("2026-02-01T00:00:00Z"),
      until: Date.parse("2026-02-03T00:00:00Z"),
    });
    expect(timeWindow(parseSearch("x"), 0)).toEqual({});
  });
});
