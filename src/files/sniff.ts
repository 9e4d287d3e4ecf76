import { fileTypeFromFile } from "file-type";

/** When the bytes match no known format (plain text, HTML, SVG, CSV…): served only as a download. */
export const UNKNOWN_TYPE = "application/octet-stream";

/**
 * The file's type read from its first bytes (magic numbers, `file-type`), never the name or the
 * type the uploader's browser sent. Text formats have no magic number and come back unknown.
 */
export async function sniffType(path: string): Promise<string> {
  return (await fileTypeFromFile(path))?.mime ?? UNKNOWN_TYPE;
}

/** True when `type` matches one of the patterns: `*`, `image/*`, or an exact type. */
export function typeAllowed(type: string, patterns: readonly string[]): boolean {
  return patterns.some(
    (pattern) =>
      pattern === "*" ||
      pattern === type ||
      (pattern.endsWith("/*") && type.startsWith(pattern.slice(0, -1))),
  );
}
