import { DevSignInBody, MAX_DISPLAY_NAME_LENGTH, type SignInOptions } from "@parley/protocol";
import { type FormEvent, useEffect, useState } from "react";
import * as api from "../api.js";

/** What the server's sign-in error codes mean, in words a person can act on. */
const SIGN_IN_ERRORS: Record<string, string> = {
  not_allowed:
    "This server only admits people from its team. Your account's verified email is not on the allow-list; ask an administrator to add it.",
  account_not_linked:
    "An account with this email already exists, but this provider did not confirm the email is yours, so it was not linked. Sign in with the provider you used before.",
  email_doesn_t_match: "The email of this account does not match the one you are signed in with.",
  unable_to_create_user: "Your account could not be created. Try again, or ask an administrator.",
  access_denied: "Sign-in was cancelled at the provider.",
  state_mismatch: "The sign-in took too long or was started in another tab. Please try again.",
};

function errorFromUrl(): string | null {
  const code = new URLSearchParams(window.location.search).get("error");
  if (!code) return null;
  return SIGN_IN_ERRORS[code.toLowerCase()] ?? `Sign-in failed (${code}).`;
}

export function SignInPage() {
  const [options, setOptions] = useState<SignInOptions | null>(null);
  const [error, setError] = useState<string | null>(errorFromUrl);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    document.title = "Sign in · Parley";
    let cancelled = false;
    // Already signed in (say, via the back button): signing in again would only be refused.
    // With an error to show, stay: the reader needs to see what went wrong.
    if (!errorFromUrl()) {
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
        if (!cancelled) setLoadError(api.describeError(err));
      });
    return () => {
      cancelled = true;
    };
  }, []);

  const devSignIn = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = DevSignInBody.safeParse({ name });
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? "Enter a display name.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.devSignIn(parsed.data.name);
      // A full load starts the chat with the new session cookie and nothing left over.
      window.location.assign(api.afterSignInPath());
    } catch (err) {
      setError(api.describeError(err));
      setBusy(false);
    }
  };

  const providerSignIn = async (providerId: string) => {
    setBusy(true);
    setError(null);
    try {
      window.location.assign(await api.providerSignIn(providerId, api.afterSignInPath()));
    } catch (err) {
      setError(api.describeError(err));
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <div className="signin-card">
        <h1 className="signin-title">Parley</h1>
        <p className="signin-subtitle">Sign in to chat with your team.</p>

        {error && (
          <p className="signin-error" data-testid="signin-error" role="alert">
            {error}
          </p>
        )}
        {loadError && (
          <p className="signin-error" role="alert">
            Could not load sign-in options: {loadError}
          </p>
        )}
        {!options && !loadError && <p className="muted">Loading…</p>}

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
                Sign in with {provider.name}
              </button>
            ))}
          </div>
        )}

        {options?.devSignIn && (
          <form className="signin-dev" onSubmit={(event) => void devSignIn(event)}>
            <div className="dev-notice" role="note">
              <strong>Development mode.</strong> Dev sign-in is on: anyone can sign in under any name, without
              a password. Never enable it on a server others can reach.
            </div>
            <label className="field-label" htmlFor="dev-name">
              Display name
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
              Sign in
            </button>
          </form>
        )}

        {options && !options.devSignIn && options.providers.length === 0 && (
          <p className="muted">No sign-in method is configured on this server. Ask its administrator.</p>
        )}
      </div>
    </main>
  );
}
