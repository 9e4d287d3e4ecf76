import { betterAuth } from "better-auth";
import { APIError } from "better-auth/api";
import { anonymous } from "better-auth/plugins";
import type { Kysely } from "kysely";
import { DevSignInBody } from "../protocol/index.js";
import type { DatabaseKind } from "../storage/database.js";
import type { Database } from "../storage/schema.js";

export interface AuthOptions {
  db: Kysely<Database>;
  databaseKind: DatabaseKind;
  publicUrl: string;
  secret: string;
  devSignIn: boolean;
}

const THIRTY_DAYS_S = 30 * 24 * 60 * 60;
const ONE_DAY_S = 24 * 60 * 60;

function buildAuth(options: AuthOptions) {
  return betterAuth({
    appName: "Parley",
    baseURL: options.publicUrl,
    basePath: "/api/auth",
    secret: options.secret,
    database: { db: options.db, type: options.databaseKind },
    trustedOrigins: [options.publicUrl],
    telemetry: { enabled: false },
    session: { expiresIn: THIRTY_DAYS_S, updateAge: ONE_DAY_S },
    advanced: {
      useSecureCookies: options.publicUrl.startsWith("https:"),
      defaultCookieAttributes: { httpOnly: true, sameSite: "lax" },
    },
    plugins: [
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
