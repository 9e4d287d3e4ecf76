import { randomBytes } from "node:crypto";

const MAX_SLUG_LENGTH = 48;
/** Candidates "name", "name-2" … "name-N"; after these a random suffix, so a slug is always found. */
const NUMBERED_CANDIDATES = 5;
const graphemes = new Intl.Segmenter("und", { granularity: "grapheme" });

/**
 * A URL-safe slug from a room name, readable in any script: "Café Talk!" → "cafe-talk",
 * "プロジェクト" → "プロジェクト". Latin diacritics are dropped (NFKD, then the combining
 * diacritical marks), and the rest is recomposed with NFC, so voiced kana and the vowel signs
 * of other scripts stay as written instead of falling apart into separators.
 */
export function slugify(name: string): string {
  const words = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .normalize("NFC")
    .toLowerCase()
    .replace(/[^\p{Letter}\p{Mark}\p{Number}]+/gu, "-")
    .replace(/^-+|-+$/g, "");
  // Cut at whole characters as a reader sees them, never inside a surrogate pair or accent.
  let slug = "";
  for (const { segment } of graphemes.segment(words)) {
    if (slug.length + segment.length > MAX_SLUG_LENGTH) break;
    slug += segment;
  }
  slug = slug.replace(/-+$/, "");
  return slug || "room";
}

/** The n-th candidate for a taken slug: "general", "general-2" … "general-5", then "general-" + random hex. */
export function slugCandidate(base: string, attempt: number): string {
  if (attempt === 0) return base;
  if (attempt < NUMBERED_CANDIDATES) return `${base}-${attempt + 1}`;
  return `${base}-${randomBytes(4).toString("hex")}`;
}
