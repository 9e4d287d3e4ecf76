import { betterAuth, type SecondaryStorage } from "better-auth";
import { APIError } from "better-auth/api";
import { anonymous, genericOAuth } from "better-auth/plugins";
import type { Kysely } from "kysely";
import type { AllowList, Providers } from "../main/config.js";
import { DevSignInBody } from "../protocol/index.js";
import type { DatabaseKind } from "../storage/database.js";
import type { Database } from "../storage/schema.js";
import { isAllowed } from "./allow-list.js";

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
  /** Called for every session that ends on the server (sign-out, revocation, user deleted). */
  onSessionEnded(sessionId: string): void;
  /** Where better-auth's own log lines go (default: its console logger). */
  log?: (level: "debug" | "info" | "warn" | "error", message: string, ...args: unknown[]) => void;
}

/** Error code in the sign-in page's `?error=` when the allow-list refuses someone. */
export const NOT_ALLOWED = "not_allowed";
const ONE_DAY_S = 24 * 60 * 60;

function refuse(): never {
  throw new APIError("FORBIDDEN", { message: NOT_ALLOWED, code: NOT_ALLOWED });
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
    advanced: {
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
    databaseHooks: {
      user: {
        create: {
          // Refused before any row is written.
          before: async (user) => {
            const anonymousUser = (user as { isAnonymous?: boolean }).isAnonymous === true;
            if (!anonymousUser && !isAllowed(allowList, user.email, user.emailVerified)) refuse();
            return { data: user };
          },
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
            return { data: session };
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
