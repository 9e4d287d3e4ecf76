import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const deployDoc = readFileSync(new URL("../../docs/deploy.md", import.meta.url), "utf8");

describe("docs/deploy.md", () => {
  it("shows exactly the nginx file that the production-path test runs", () => {
    const block = /```nginx\n([\s\S]*?)```/.exec(deployDoc)?.[1];
    expect(block).toBe(readFileSync(new URL("../../deploy/nginx/parley.conf", import.meta.url), "utf8"));
  });
});
