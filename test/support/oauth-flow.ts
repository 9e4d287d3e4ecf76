/** Drives better-auth's OAuth redirect flow over plain HTTP, as a browser would, without the browser. */

export interface FlowResult {
  status: number;
  location: string;
  /** Session cookie when the sign-in succeeded. */
  sessionCookie: string | undefined;
}

function cookiesOf(response: Response): string[] {
  return response.headers.getSetCookie().map((header) => header.split(";")[0] ?? "");
}

export async function oauthSignIn(
  baseUrl: string,
  start: { path: string; body: Record<string, unknown> },
  code = "test-code",
): Promise<FlowResult> {
  const started = await fetch(`${baseUrl}${start.path}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: baseUrl },
    body: JSON.stringify({ callbackURL: "/", errorCallbackURL: "/signin", ...start.body }),
  });
  if (!started.ok) throw new Error(`sign-in start failed: ${started.status} ${await started.text()}`);
  const { url } = (await started.json()) as { url: string };
  const authorize = new URL(url);
  const state = authorize.searchParams.get("state");
  const redirectUri = authorize.searchParams.get("redirect_uri");
  if (!state || !redirectUri) throw new Error(`no state or redirect_uri in ${url}`);
  const callback = new URL(redirectUri);
  callback.searchParams.set("code", code);
  callback.searchParams.set("state", state);
  const finished = await fetch(callback, {
    redirect: "manual",
    headers: { cookie: cookiesOf(started).join("; ") },
  });
  const session = cookiesOf(finished).find(
    (cookie) => cookie.includes("session_token=") && !cookie.endsWith("="),
  );
  return {
    status: finished.status,
    location: finished.headers.get("location") ?? "",
    sessionCookie: session,
  };
}
