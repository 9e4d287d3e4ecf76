/** The languages the web app is translated into (web/src/i18n); the first is the fallback. */
export const PAGE_LANGUAGES = ["en", "ja"] as const;
export type PageLanguage = (typeof PAGE_LANGUAGES)[number];

/**
 * The page language for an Accept-Language header (RFC 9110 §12.5.4): the highest-q range
 * whose primary subtag we have, ties broken by order; "*" and unknown ranges fall back to English.
 */
export function negotiateLanguage(header: string | undefined): PageLanguage {
  if (!header) return PAGE_LANGUAGES[0];
  let best: { language: PageLanguage; q: number } | undefined;
  // A header is short in practice; the cap keeps a hostile one from costing anything.
  for (const part of header.slice(0, 1024).split(",").slice(0, 32)) {
    const [range = "", ...params] = part.trim().split(";");
    const primary = range.trim().toLowerCase().split("-")[0] ?? "";
    const language = PAGE_LANGUAGES.find((candidate) => candidate === primary);
    if (!language) continue;
    const qParam = params.map((param) => param.trim()).find((param) => param.startsWith("q="));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    if (!best || q > best.q) best = { language, q };
  }
  return best?.language ?? PAGE_LANGUAGES[0];
}

/** The app's index.html with `<html lang>` set to the negotiated language. */
export function withPageLanguage(html: string, language: PageLanguage): string {
  return html.replace(/<html lang="[^"]*"/, `<html lang="${language}"`);
}
