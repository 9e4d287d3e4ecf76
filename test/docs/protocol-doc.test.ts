import { readFileSync } from "node:fs";
import { ClientFrame, CloseCode, ErrorCode, ServerFrame } from "@parley/protocol";
import { describe, expect, it } from "vitest";

// docs/protocol.md promises to list every frame: these tests keep that promise true in both
// directions, so a frame added to the zod unions without a row (or a row left for a frame that
// is gone) fails here rather than surprising a client author.
const doc = readFileSync(new URL("../../docs/protocol.md", import.meta.url), "utf8");

/** The backticked names in the first column of the table under a heading. */
function framesDocumentedUnder(heading: string): string[] {
  const start = doc.indexOf(`\n${heading}\n`);
  expect(start, `docs/protocol.md has the heading "${heading}"`).toBeGreaterThan(-1);
  const rest = doc.slice(start + heading.length + 2);
  const nextHeading = rest.search(/\n#{1,3} /);
  const section = nextHeading === -1 ? rest : rest.slice(0, nextHeading);
  return [...section.matchAll(/^\|\s*`([a-z_]+)`\s*\|/gm)].map((m) => m[1] as string);
}

function frameTypes(union: { options: readonly { shape: { type: { value: string } } }[] }): string[] {
  return union.options.map((option) => option.shape.type.value);
}

describe("docs/protocol.md", () => {
  it("lists every client → server frame of the protocol, and no other", () => {
    expect(framesDocumentedUnder("### Client → server").sort()).toEqual(frameTypes(ClientFrame).sort());
  });

  it("lists every server → client frame of the protocol, and no other", () => {
    expect(framesDocumentedUnder("### Server → client").sort()).toEqual(frameTypes(ServerFrame).sort());
  });

  it("names every error code", () => {
    const missing = ErrorCode.options.filter((code) => !doc.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });

  it("lists every close code in its table", () => {
    const documented = framesDocumentedCloseCodes();
    for (const code of Object.values(CloseCode)) expect(documented).toContain(code);
  });
});

function framesDocumentedCloseCodes(): number[] {
  const start = doc.indexOf("\n### Close codes\n");
  expect(start).toBeGreaterThan(-1);
  // Only the table under this heading, up to the next heading.
  const rest = doc.slice(start + 1);
  const end = rest.slice(1).search(/\n#{1,3} /);
  const section = end === -1 ? rest : rest.slice(0, end + 1);
  return [...section.matchAll(/^\|\s*(\d{4})\s*\|/gm)].map((m) => Number(m[1]));
}
