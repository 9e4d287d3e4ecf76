import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const CORE = join(import.meta.dirname);
const sources = readdirSync(CORE).filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts"));

describe("the client core's boundaries", () => {
  it.each(sources)("%s imports only the core, the protocol and zod, and no DOM global", (name) => {
    const text = readFileSync(join(CORE, name), "utf8");
    const imports = [...text.matchAll(/from "([^"]+)"/g)].map((match) => match[1]);
    for (const path of imports) {
      expect(path === "zod" || path?.startsWith("./") || path === "@parley/protocol").toBe(true);
    }
    expect(text).not.toMatch(/\b(window|document|localStorage|navigator)\./);
    expect(text).not.toMatch(/new WebSocket\(|\bfetch\(/);
  });
});
