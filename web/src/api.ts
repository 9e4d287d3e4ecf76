import { Me, type Member, SignInOptions } from "@parley/protocol";
import { z } from "zod";
import { browserFetch } from "./browser-ports.js";
import {
  ApiError,
  CLIENT_CODES,
  type HttpResponse,
  afterSignInPath as nextPath,
  refusalOf,
} from "./core/index.js";

/** The sign-in page's REST calls; the chat's own calls live in the core (core/http-api.ts). */

export { ApiError, problemOf } from "./core/index.js";

/** Where to go after signing in: the `next` the server or the app put in the URL, if it is ours. */
export function afterSignInPath(): string {
  return nextPath(window.location.search);
}

async function request<T>(path: string, schema: z.ZodType<T>, body?: unknown): Promise<T> {
  let response: HttpResponse;
  try {
    response = await browserFetch(path, {
      method: body === undefined ? "GET" : "POST",
      headers: body === undefined ? { accept: "application/json" } : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError({ code: CLIENT_CODES.offline });
  }
  if (!response.ok) throw await refusalOf(response, Date.now());
  const payload: unknown = await response.json().catch(() => undefined);
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw new ApiError({ code: CLIENT_CODES.badResponse, status: response.status });
  return parsed.data;
}

export function getSignInOptions(): Promise<SignInOptions> {
  return request("/api/signin-options", SignInOptions);
}

export async function devSignIn(name: string): Promise<void> {
  await request("/api/auth/sign-in/anonymous", z.unknown(), { name });
}

const RedirectResponse = z.object({ url: z.string() });

/**
 * Starts an OAuth sign-in; resolves with the provider URL the browser must go to. better-auth
 * serves built-in and generic (OIDC) providers through the same endpoint.
 */
export async function providerSignIn(providerId: string, callbackURL: string): Promise<string> {
  const { url } = await request("/api/auth/sign-in/social", RedirectResponse, {
    provider: providerId,
    callbackURL,
    errorCallbackURL: "/signin",
  });
  return url;
}

/** The signed-in user, or null; for the sign-in page, which must not bounce to itself. */
export async function currentUser(): Promise<Member | null> {
  try {
    return (await request("/api/me", Me)).user;
  } catch {
    return null;
  }
}
