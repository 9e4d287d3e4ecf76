import { DevSignInBody, MAX_DISPLAY_NAME_LENGTH, type SignInOptions } from "@parley/protocol";
import { type FormEvent, useEffect, useState } from "react";
import * as api from "../api.js";
import type { Problem } from "../core/index.js";
import { useProblemText } from "../i18n/problem-text.js";
import { Text } from "../i18n/Text.js";
import { useText } from "../i18n/use-text.js";
import { LanguageSelect } from "./LanguageSelect.js";

/** The server's sign-in error codes that have their own explanation in the catalogs. */
const KNOWN_SIGN_IN_ERRORS = [
  "not_allowed",
  "account_not_linked",
  "email_doesn_t_match",
  "unable_to_create_user",
  "access_denied",
  "state_mismatch",
  // admin slice
  "account_deactivated",
] as const;

function errorCodeFromUrl(): string | null {
  return new URLSearchParams(window.location.search).get("error");
}

/** What a sign-in error code means, in words a person can act on. */
function describeSignInError(code: string, t: ReturnType<typeof useText>): string {
  const known = KNOWN_SIGN_IN_ERRORS.find((candidate) => candidate === code.toLowerCase());
  return known ? t(`signin.error.${known}`) : t("signin.error.unknown", { code });
}

export function SignInPage() {
  const [options, setOptions] = useState<SignInOptions | null>(null);
  const t = useText();
  const describe = useProblemText();
  // Errors are kept as codes, so they follow a change of language.
  const [urlErrorCode, setUrlErrorCode] = useState<string | null>(errorCodeFromUrl);
  const [requestError, setRequestError] = useState<Problem | { local: "nameEmpty" | "nameTooLong" } | null>(
    null,
  );
  const error =
    requestError === null
      ? urlErrorCode
        ? describeSignInError(urlErrorCode, t)
        : null
      : "local" in requestError
        ? requestError.local === "nameTooLong"
          ? t("signin.nameTooLong", { max: MAX_DISPLAY_NAME_LENGTH })
          : t("signin.nameEmpty")
        : describe(requestError);
  const setError = (next: typeof requestError) => {
    setUrlErrorCode(null);
    setRequestError(next);
  };
  const [loadError, setLoadError] = useState<Problem | null>(null);
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    document.title = t("signin.documentTitle");
  }, [t]);

  useEffect(() => {
    let cancelled = false;
    // Already signed in (say, via the back button): signing in again would only be refused.
    // With an error to show, stay: the reader needs to see what went wrong.
    if (!errorCodeFromUrl()) {
      void api.currentUser().then((user) => {
        if (user && !cancelled) window.location.replace(api.afterSignInPath());
      });
    }
    api
      .getSignInOptions()
      .then((loaded) => {
        if (!cancelled) setOptions(loaded);
      })
      .catch((err: unknown) => {
        if (!cancelled) setLoadError(api.problemOf(err));
      });
    return () => {
      cancelled = true;
    };
  }, []);

  const devSignIn = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = DevSignInBody.safeParse({ name });
    if (!parsed.success) {
      const tooLong = parsed.error.issues[0]?.code === "too_big";
      setError({ local: tooLong ? "nameTooLong" : "nameEmpty" });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.devSignIn(parsed.data.name);
      // A full load starts the chat with the new session cookie and nothing left over.
      window.location.assign(api.afterSignInPath());
    } catch (err) {
      setError(api.problemOf(err));
      setBusy(false);
    }
  };

  const providerSignIn = async (providerId: string) => {
    setBusy(true);
    setError(null);
    try {
      window.location.assign(await api.providerSignIn(providerId, api.afterSignInPath()));
    } catch (err) {
      setError(api.problemOf(err));
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <div className="signin-card">
        <h1 className="signin-title">Parley</h1>
        <p className="signin-subtitle">{t("signin.subtitle")}</p>

        {error && (
          <p className="signin-error" data-testid="signin-error" role="alert">
            {error}
          </p>
        )}
        {loadError && (
          <p className="signin-error" role="alert">
            {t("signin.loadError", { error: describe(loadError) })}
          </p>
        )}
        {!options && !loadError && <p className="muted">{t("signin.loading")}</p>}

        {options && options.providers.length > 0 && (
          <div className="signin-providers">
            {options.providers.map((provider) => (
              <button
                key={provider.id}
                type="button"
                className="button button-provider"
                data-testid={`provider-${provider.id}`}
                disabled={busy}
                onClick={() => void providerSignIn(provider.id)}
              >
                {t("signin.withProvider", { provider: provider.name })}
              </button>
            ))}
          </div>
        )}

        {options?.devSignIn && (
          <form className="signin-dev" onSubmit={(event) => void devSignIn(event)}>
            <div className="dev-notice" role="note">
              <Text id="signin.devNotice" values={{ strong: (chunks) => <strong>{chunks}</strong> }} />
            </div>
            <label className="field-label" htmlFor="dev-name">
              {t("signin.displayName")}
            </label>
            <input
              id="dev-name"
              className="input"
              data-testid="dev-name"
              value={name}
              maxLength={MAX_DISPLAY_NAME_LENGTH}
              autoComplete="nickname"
              onChange={(event) => setName(event.target.value)}
            />
            <button type="submit" className="button button-primary" data-testid="dev-signin" disabled={busy}>
              {t("signin.submit")}
            </button>
          </form>
        )}

        {options && !options.devSignIn && options.providers.length === 0 && (
          <p className="muted">{t("signin.noMethod")}</p>
        )}
        <LanguageSelect className="signin-language" />
      </div>
    </main>
  );
}
