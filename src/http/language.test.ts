import { describe, expect, it } from "vitest";
import { negotiateLanguage, withPageLanguage } from "./language.js";

describe("negotiateLanguage", () => {
  it("picks Japanese for a Japanese browser, by primary subtag", () => {
    expect(negotiateLanguage("ja-JP,ja;q=0.9,en-US;q=0.8,en;q=0.7")).toBe("ja");
  });

  it("follows q-values, not only order", () => {
    expect(negotiateLanguage("en;q=0.5, ja;q=0.9")).toBe("ja");
    expect(negotiateLanguage("fr-FR, en;q=0.8, ja;q=0.3")).toBe("en");
  });

  it("falls back to English for missing, unknown, zero-q and malformed headers", () => {
    expect(negotiateLanguage(undefined)).toBe("en");
    expect(negotiateLanguage("fr, de;q=0.5")).toBe("en");
    expect(negotiateLanguage("ja;q=0")).toBe("en");
    expect(negotiateLanguage("ja;q=abc, *")).toBe("en");
    expect(negotiateLanguage(";;;,,,")).toBe("en");
  });
});

describe("withPageLanguage", () => {
  it("rewrites only the root element's lang", () => {
    expect(withPageLanguage('<!doctype html>\n<html lang="en">\n<p lang="en">', "ja")).toBe(
      '<!doctype html>\n<html lang="ja">\n<p lang="en">',
    );
  });
});
