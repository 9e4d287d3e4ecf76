import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ENVIRONMENT_VARIABLES } from "../../src/main/config.js";

const doc = readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8");
/** The variables in the first column of the doc's tables (a cell may name several). */
const documented = [...doc.matchAll(/^\|([^|]+)\|/gm)].flatMap((row) =>
  [...(row[1] ?? "").matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((match) => match[1] as string),
);

describe("docs/configuration.md", () => {
  it("describes every variable Parley reads", () => {
    expect(ENVIRONMENT_VARIABLES.filter((name) => !documented.includes(name))).toEqual([]);
  });

  it("describes no variable Parley does not read", () => {
    expect(documented.filter((name) => !ENVIRONMENT_VARIABLES.includes(name))).toEqual([]);
  });
});
