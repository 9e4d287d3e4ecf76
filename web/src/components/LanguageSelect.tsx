import { useId } from "react";
import { useLanguage } from "../i18n/LocaleProvider.js";
import { LANGUAGES, type Language, type LanguagePreference } from "../i18n/language.js";
import { useText } from "../i18n/use-text.js";

/** Each language is named in itself, so a reader who can't read the current one still finds theirs. */
const NATIVE_NAMES: Record<Language, string> = { en: "English", ja: "日本語" };

export function LanguageSelect({ className }: { className?: string }) {
  const t = useText();
  const { preference, setPreference } = useLanguage();
  const id = useId();
  return (
    <div className={className}>
      <label className="field-label" htmlFor={id}>
        {t("language.label")}
      </label>
      <select
        id={id}
        className="select"
        data-testid="language-select"
        value={preference}
        onChange={(event) => setPreference(event.target.value as LanguagePreference)}
      >
        <option value="browser">{t("language.browser")}</option>
        {LANGUAGES.map((language) => (
          <option key={language} value={language} lang={language}>
            {NATIVE_NAMES[language]}
          </option>
        ))}
      </select>
    </div>
  );
}
