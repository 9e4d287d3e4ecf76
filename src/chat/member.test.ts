import { describe, expect, it } from "vitest";
import { toMember } from "./member.js";

describe("a member's picture", () => {
  it("is a provider avatar only from an avatar host, else the generated one", () => {
    const shown = (image: string | null) => toMember({ id: "u1", name: "Ann", image }).image;
    expect(shown("https://avatars.githubusercontent.com/u/1?v=4")).toBe(
      "https://avatars.githubusercontent.com/u/1?v=4",
    );
    expect(shown("https://lh3.googleusercontent.com/a/abc")).toBe("https://lh3.googleusercontent.com/a/abc");
    // Stored before the rule, or from another provider: never shown from that host.
    for (const image of [
      null,
      "",
      "https://tracker.example/pixel.png",
      "http://avatars.githubusercontent.com/u/1",
      "javascript:alert(1)",
      "https://avatars.githubusercontent.com.evil.example/u/1",
      "https://user:pw@avatars.githubusercontent.com/u/1",
    ]) {
      expect(shown(image)).toBe("/api/avatars/u1.svg");
    }
  });
});
