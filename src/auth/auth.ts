import { cleanDisplayName, DevSignInBody, providerAvatar } from "@parley/protocol";
import { betterAuth, type SecondaryStorage } from "better-auth";
import { APIError } from "better-auth/api";
import { anonymous, genericOAuth } from "better-auth/plugins";
import type { Kysely } from "kysely";
import type { DatabaseKind } from "../storage/database.js";
import type { Database } from "../storage/schema.js";
import { isAllowed } from "./allow-list.js";
import type { AllowList, Providers } from "./sign-in-settings.js";

export interface AuthOptions {
  db: Kysely<Database>;
  databaseKind: DatabaseKind;
  publicUrl: string;
  secret: string;
  devSignIn: boolean;
  providers: Providers;
  allowList: AllowList;
  sessionTtlSeconds: number;
  /** Redis, when configured: sessions are read from it first and kept in SQL too. */
  secondaryStorage?: SecondaryStorage;
  /** better-auth's rate limits on the auth routes, per client address (CLIENT_ADDRESS_HEADER). */
  rateLimit: boolean;
  /** Called for every session that ends on the server (sign-out, revocation, user deleted). */
  onSessionEnded(sessionId: string): void;
  /** Told of every session made: a sign-in (logged by the caller, decision 0047). */
  onSignedIn?(event: SignedInEvent): void;
  /** Who may sign in, and what follows a sign-in (admin slice: deactivation, the first administrator). */
  admission?: SignInAdmission;
  /** Where better-auth's own log lines go (default: its console logger). */
  log?: (level: "debug" | "info" | "warn" | "error", message: string, ...args: unknown[]) => void;
}

/** Error code in the sign-in page's `?error=` when the allow-list refuses someone. */
export const NOT_ALLOWED = "not_allowed";
/** Error code in the sign-in page's `?error=` when an administrator deactivated the account. */
export const ACCOUNT_DEACTIVATED = "account_deactivated";

/** The administration's say in sign-ins. */
export interface SignInAdmission {
  maySignIn(userId: string): Promise<boolean>;
  /** A session was made for this person (the first person ever becomes an administrator). */
  signedIn(userId: string): Promise<void>;
}
const ONE_DAY_S = 24 * 60 * 60;

/**
 * The header the auth routes hand better-auth the client's address in: fastify's `request.ip`
 * under TRUST_PROXY, set by the server after removing any the client sent (src/http/auth-routes.ts).
 */
export const CLIENT_ADDRESS_HEADER = "x-parley-client-address";

/**
 * The header the auth routes hand better-auth the request's id in (removing any the client sent),
 * so the sign-in log line made inside better-auth's hook carries the id of the request it ended.
 */
export const REQUEST_ID_HEADER = "x-parley-request-id";

/** A session was made: who, through which provider, in which request. Never a token or a cookie. */
export interface SignedInEvent {
  userId: string;
  /** "github", "google", the OIDC provider's id, or "dev" for dev sign-in. */
  provider: string;
  requestId: string | undefined;
}

/** The endpoint context better-auth hands its database hooks (the parts read here). */
interface HookContext {
  path?: string;
  params?: unknown;
  headers?: Headers;
}

/** Which provider a session came from, read from the route that made it. */
function signInProvider(context: HookContext | null): string {
  const params = (context?.params ?? {}) as Record<string, unknown>;
  // /callback/:id: GitHub, Google and the OIDC provider alike (better-auth 1.7's genericOAuth
  // uses the core route; older ones had /oauth2/callback/:providerId).
  const named = params.id ?? params.providerId;
  if (typeof named === "string") return named;
  if (context?.path === "/sign-in/anonymous") return "dev";
  return context?.path ?? "unknown";
}

function refuse(): never {
  throw new APIError("FORBIDDEN", { message: NOT_ALLOWED, code: NOT_ALLOWED });
}

/**
 * A stored name follows the display-name rules (a provider's is cleaned, not refused: the
 * person cannot fix it here) and a stored picture is a provider avatar or none (decision 0010).
 */
function profileRules(
  user: { name?: string | null | undefined; image?: string | null | undefined },
  email: string | null | undefined,
): { name?: string; image?: string | null } {
  const fallback = cleanDisplayName(email?.split("@")[0], "Member");
  return {
    ...("name" in user && { name: cleanDisplayName(user.name, fallback) }),
    ...("image" in user && { image: providerAvatar(user.image) }),
  };
}

function buildAuth(options: AuthOptions) {
  const { providers, allowList, db } = options;
  return betterAuth({
    appName: "Parley",
    baseURL: options.publicUrl,
    basePath: "/api/auth",
    secret: options.secret,
    database: { db, type: options.databaseKind },
    trustedOrigins: [options.publicUrl],
    telemetry: { enabled: false },
    ...(options.log && { logger: { log: options.log } }),
    secondaryStorage: options.secondaryStorage,
    session: {
      expiresIn: options.sessionTtlSeconds,
      updateAge: Math.min(ONE_DAY_S, Math.floor(options.sessionTtlSeconds / 2)),
      // With Redis, keep sessions in SQL as well: a flushed or evicted key must not sign anyone out.
      storeSessionInDatabase: true,
    },
    // Sign-in paths: 3 requests per 10 s per address; other auth routes: 100 per 10 s (better-auth's rules).
    rateLimit: { enabled: options.rateLimit },
    advanced: {
      ipAddress: { ipAddressHeaders: [CLIENT_ADDRESS_HEADER] },
      useSecureCookies: options.publicUrl.startsWith("https:"),
      defaultCookieAttributes: { httpOnly: true, sameSite: "lax" },
    },
    // Failed sign-ins land on our sign-in page, which explains the code.
    onAPIError: { errorURL: `${options.publicUrl}/signin` },
    account: {
      // One person, one user: a second provider links only when both emails are verified and equal.
      accountLinking: { enabled: true, trustedProviders: [], requireLocalEmailVerified: true },
    },
    socialProviders: {
      ...(providers.github && {
        github: { ...providers.github, overrideUserInfoOnSignIn: true },
      }),
      ...(providers.google && {
        google: { ...providers.google, overrideUserInfoOnSignIn: true, prompt: "select_account" as const },
      }),
    },
    user: {
      // The provider's fresh email, before better-auth writes anything: a person known here who
      // comes back with a now-refused email is refused with their stored profile untouched.
      validateUserInfo: async ({ user, source }) => {
        if (source.method === "anonymous") return;
        if (!isAllowed(allowList, user.email ?? "", user.emailVerified === true))
          return { error: NOT_ALLOWED };
      },
    },
    databaseHooks: {
      user: {
        create: {
          // Refused before any row is written.
          before: async (user) => {
            const anonymousUser = (user as { isAnonymous?: boolean }).isAnonymous === true;
            if (!anonymousUser && !isAllowed(allowList, user.email, user.emailVerified)) refuse();
            return { data: { ...user, ...profileRules(user, user.email) } };
          },
        },
        update: {
          // Every write of a name or picture, whether from a provider at sign-in or update-user.
          before: async (user) => ({ data: { ...user, ...profileRules(user, user.email) } }),
        },
      },
      session: {
        create: {
          // Also checked at every sign-in, so narrowing the allow-list takes effect for existing users.
          before: async (session) => {
            const user = await db
              .selectFrom("user")
              .select(["email", "emailVerified", "isAnonymous"])
              .where("id", "=", session.userId)
              .executeTakeFirst();
            if (user && !user.isAnonymous && !isAllowed(allowList, user.email, Boolean(user.emailVerified)))
              refuse();
            if (options.admission && !(await options.admission.maySignIn(session.userId))) {
              throw new APIError("FORBIDDEN", { message: ACCOUNT_DEACTIVATED, code: ACCOUNT_DEACTIVATED });
            }
            return { data: session };
          },
          after: async (session, context: HookContext | null) => {
            await options.admission?.signedIn(session.userId);
            options.onSignedIn?.({
              userId: session.userId,
              provider: signInProvider(context),
              requestId: context?.headers?.get(REQUEST_ID_HEADER) ?? undefined,
            });
          },
        },
        delete: {
          after: async (session) => {
            options.onSessionEnded(session.id);
          },
        },
      },
    },
    plugins: [
      ...(providers.oidc
        ? [
            genericOAuth({
              config: [
                {
                  providerId: providers.oidc.id,
                  name: providers.oidc.name,
                  discoveryUrl: `${providers.oidc.issuer}/.well-known/openid-configuration`,
                  clientId: providers.oidc.clientId,
                  clientSecret: providers.oidc.clientSecret,
                  scopes: providers.oidc.scopes,
                  pkce: true,
                  overrideUserInfo: true,
                },
              ],
            }),
          ]
        : []),
      // Dev sign-in: a display name is all it takes. Only mounted when enabled.
      ...(options.devSignIn
        ? [
            anonymous({
              generateName: (ctx) => {
                const body = DevSignInBody.safeParse(ctx.body);
                if (!body.success) {
                  throw new APIError("BAD_REQUEST", {
                    message: body.error.issues[0]?.message ?? "invalid display name",
                  });
                }
                return body.data.name;
              },
            }),
          ]
        : []),
    ],
  });
}

export type Auth = ReturnType<typeof buildAuth>;
export const createAuth = buildAuth;

/** Provider buttons for the sign-in page, in a stable order. */
export function providerList(providers: Providers): Array<{ id: string; name: string }> {
  return [
    ...(providers.github ? [{ id: "github", name: "GitHub" }] : []),
    ...(providers.google ? [{ id: "google", name: "Google" }] : []),
    ...(providers.oidc ? [{ id: providers.oidc.id, name: providers.oidc.name }] : []),
  ];
}
