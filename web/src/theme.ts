import { useState } from "react";

/** "system" follows prefers-color-scheme; the others override it in this browser. */
export type ThemePreference = "system" | "light" | "dark";

const STORAGE_KEY = "parley.theme";

function stored(): ThemePreference {
  try {
    const value = window.localStorage.getItem(STORAGE_KEY);
    return value === "light" || value === "dark" ? value : "system";
  } catch {
    return "system";
  }
}

/**
 * The colours themselves are CSS (light-dark() on color-scheme, styles.css); this only sets the
 * attribute that pins one scheme. Called before the first render so a stored choice shows at once.
 */
export function applyStoredTheme(): void {
  apply(stored());
}

function apply(preference: ThemePreference): void {
  const root = document.documentElement;
  if (preference === "system") delete root.dataset.theme;
  else root.dataset.theme = preference;
}

export function useThemePreference(): [ThemePreference, (next: ThemePreference) => void] {
  const [preference, setPreference] = useState<ThemePreference>(stored);
  const set = (next: ThemePreference) => {
    try {
      if (next === "system") window.localStorage.removeItem(STORAGE_KEY);
      else window.localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Not remembered, but applied to this page.
    }
    apply(next);
    setPreference(next);
  };
  return [preference, set];
}
