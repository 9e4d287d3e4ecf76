import { createContext, type ReactNode, useContext, useEffect, useMemo, useState } from "react";
import { IntlProvider } from "react-intl";
import {
  type Language,
  type LanguagePreference,
  resolveLanguage,
  storedLanguagePreference,
  storeLanguagePreference,
} from "./language.js";
import { en } from "./messages-en.js";
import { ja } from "./messages-ja.js";

const CATALOGS: Record<Language, Record<string, string>> = { en, ja };

interface LanguageChoice {
  language: Language;
  preference: LanguagePreference;
  setPreference(preference: LanguagePreference): void;
}

const LanguageContext = createContext<LanguageChoice | null>(null);

export function useLanguage(): LanguageChoice {
  const choice = useContext(LanguageContext);
  if (!choice) throw new Error("useLanguage outside LocaleProvider");
  return choice;
}

/** Texts, dates and numbers in the reader's language, and `<html lang>` to match for screen readers and fonts. */
export function LocaleProvider({ children }: { children: ReactNode }) {
  const [preference, setPreferenceState] = useState<LanguagePreference>(storedLanguagePreference);
  const [language, setLanguage] = useState<Language>(() => resolveLanguage(preference));

  useEffect(() => {
    const update = () => setLanguage(resolveLanguage(preference));
    update();
    // "Follow the browser" keeps following it when the reader changes the browser's languages.
    window.addEventListener("languagechange", update);
    return () => window.removeEventListener("languagechange", update);
  }, [preference]);

  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);

  const choice = useMemo<LanguageChoice>(
    () => ({
      language,
      preference,
      setPreference(next) {
        storeLanguagePreference(next);
        setPreferenceState(next);
      },
    }),
    [language, preference],
  );

  return (
    <LanguageContext.Provider value={choice}>
      <IntlProvider locale={language} defaultLocale="en" messages={CATALOGS[language]}>
        {children}
      </IntlProvider>
    </LanguageContext.Provider>
  );
}
