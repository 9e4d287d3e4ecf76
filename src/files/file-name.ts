import { hasForbiddenCharacter, MAX_FILE_NAME_LENGTH } from "@parley/protocol";

/** Bidirectional controls (they can make `gpj.exe` read as `exe.jpg`) and line/paragraph separators. */
const INVISIBLE = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029]/g;

/**
 * A file name safe to show and to put in Content-Disposition: the last path segment only, NFC,
 * without control or bidirectional characters, at most MAX_FILE_NAME_LENGTH long with its
 * extension kept. Never empty.
 */
export function cleanFileName(raw: string): string {
  const last = raw.split(/[\\/]/).pop() ?? "";
  let name = [...last.normalize("NFC").replace(INVISIBLE, "")]
    .filter((char) => !hasForbiddenCharacter(char))
    .join("")
    .trim()
    .replace(/^\.+/, "");
  if (name.length > MAX_FILE_NAME_LENGTH) {
    const dot = name.lastIndexOf(".");
    const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : "";
    const stem = extension ? name.slice(0, dot) : name;
    name = cutTo(stem, MAX_FILE_NAME_LENGTH - extension.length) + extension;
  }
  return name.length > 0 ? name : "file";
}

/** The longest start of `text` of at most `length` UTF-16 units that does not split a character. */
function cutTo(text: string, length: number): string {
  let cut = "";
  for (const char of text) {
    if (cut.length + char.length > length) break;
    cut += char;
  }
  return cut;
}
