import { z } from "zod";
import { MAX_DISPLAY_NAME_LENGTH } from "./limits.js";

/**
 * Characters a display name may not hold: control characters (C0, DEL, C1), line and paragraph
 * separators, and the bidirectional controls that could make a name (and the text around it in
 * a message list) read in an order other than it was written: ALM, LRM, RLM, the embeddings and
 * overrides U+202A–U+202E and the isolates U+2066–U+2069.
 */
const FORBIDDEN = /[\p{Cc}\u2028\u2029\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
const FORBIDDEN_ALL = new RegExp(FORBIDDEN.source, "gu");

/** Length as people count it, in code points (an emoji is one, not two UTF-16 units). */
function length(text: string): number {
  return [...text].length;
}

/**
 * A display name typed by a person (dev sign-in, profile update): NFC-normalised and trimmed,
 * then 1 to MAX_DISPLAY_NAME_LENGTH characters with no control or bidirectional characters.
 * Refused, never silently changed, so the person sees what went wrong.
 */
export const DisplayName = z
  .string()
  .transform((name) => name.normalize("NFC").trim())
  .refine((name) => name.length > 0, "display name is empty")
  .refine(
    (name) => length(name) <= MAX_DISPLAY_NAME_LENGTH,
    `display name is longer than ${MAX_DISPLAY_NAME_LENGTH} characters`,
  )
  .refine((name) => !FORBIDDEN.test(name), "display name contains control or text-direction characters");

/**
 * A name a sign-in provider supplied, cleaned instead of refused (the person cannot fix it
 * here): the same rules as DisplayName, forbidden characters dropped, whitespace runs folded,
 * cut at MAX_DISPLAY_NAME_LENGTH characters; `fallback` when nothing is left.
 */
export function cleanDisplayName(name: string | null | undefined, fallback: string): string {
  const cleaned = (name ?? "").normalize("NFC").replace(FORBIDDEN_ALL, " ").replace(/\s+/gu, " ").trim();
  const cut = [...cleaned].slice(0, MAX_DISPLAY_NAME_LENGTH).join("").trim();
  return cut || fallback;
}
