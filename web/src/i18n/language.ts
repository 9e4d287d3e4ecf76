/** The languages the app is translated into; the first is the fallback. */
export const LANGUAGES = ["en", "ja"] as const;
export type Language = (typeof LANGUAGES)[number];

/** What the reader picked in the switch; "browser" follows navigator.languages. */
export type LanguagePreference = Language | "browser";

const STORAGE_KEY = "parley.language";

function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);
}

/** The first of the browser's languages we have, by primary subtag ("ja-JP" → "ja"). */
export function languageFromBrowser(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    const primary = tag.toLowerCase().split("-")[0];
    if (isLanguage(primary)) return primary;
  }
  return LANGUAGES[0];
}

export function storedLanguagePreference(): LanguagePreference {
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    return isLanguage(stored) ? stored : "browser";
  } catch {
    // Storage can be blocked (privacy settings); the browser's languages still work.
    return "browser";
  }
}

export function storeLanguagePreference(preference: LanguagePreference): void {
  try {
    if (preference === "browser") window.localStorage.removeItem(STORAGE_KEY);
    else window.localStorage.setItem(STORAGE_KEY, preference);
  } catch {
    // Not remembered, but the switch still applies to this page.
  }
}

export function resolveLanguage(preference: LanguagePreference): Language {
  return preference === "browser"
    ? languageFromBrowser(navigator.languages ?? [navigator.language])
    : preference;
}
