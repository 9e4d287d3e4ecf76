import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";

const booleanFlag = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((value) => value === "true" || value === "1" || value === "yes");

/** Every environment variable Parley reads; docs/configuration.md describes each. */
const Environment = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  HOST: z.string().default("0.0.0.0"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.url().optional(),
  DATA_DIR: z.string().default("./data"),
  DATABASE_URL: z.string().optional(),
  AUTH_SECRET: z.string().optional(),
  DEV_SIGN_IN: booleanFlag.optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  WEB_ROOT: z.string().default("./dist/web"),
  SEND_QUEUE_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(16 * 1024)
    .default(1024 * 1024),
  HEARTBEAT_INTERVAL_MS: z.coerce.number().int().min(100).default(20_000),
  METRICS_TOKEN: z.string().min(16).optional(),
  WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  SESSION_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(60_000),
  SESSION_TTL_DAYS: z.coerce.number().positive().default(30),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must start with redis:// or rediss://")
    .optional(),
  REDIS_KEY_PREFIX: z.string().default("parley:"),
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(50).max(600_000).default(2000),
  DATABASE_QUERY_TIMEOUT_MS: z.coerce.number().int().min(50).max(600_000).default(2000),
  REDIS_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(50).max(600_000).default(2000),
  REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(50).max(600_000).default(1000),
  MAX_CONNECTIONS_PER_USER: z.coerce.number().int().min(1).max(100_000).default(50),
  GITHUB_CLIENT_ID: z.string().min(1).optional(),
  GITHUB_CLIENT_SECRET: z.string().min(1).optional(),
  GOOGLE_CLIENT_ID: z.string().min(1).optional(),
  GOOGLE_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_ISSUER: z.url().optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_PROVIDER_ID: z
    .string()
    .regex(/^[a-z0-9-]+$/, "lower-case letters, digits and - only")
    .default("oidc"),
  OIDC_PROVIDER_NAME: z.string().min(1).default("Single sign-on"),
  OIDC_SCOPES: z.string().default("openid email profile"),
  ALLOWED_EMAIL_DOMAINS: z.string().optional(),
  ALLOWED_EMAILS: z.string().optional(),
});

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

export interface OidcProvider extends OAuthClient {
  id: string;
  name: string;
  issuer: string;
  scopes: string[];
}

export interface Providers {
  github?: OAuthClient;
  google?: OAuthClient;
  oidc?: OidcProvider;
}

/** Who may sign in. Both empty means anyone. */
export interface AllowList {
  domains: string[];
  emails: string[];
}

export interface Config {
  production: boolean;
  host: string;
  port: number;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string;
  authSecret: string;
  devSignIn: boolean;
  logLevel: string;
  webRoot: string;
  sendQueueLimitBytes: number;
  heartbeatIntervalMs: number;
  sessionTtlSeconds: number;
  sessionSweepIntervalMs: number;
  workers: number;
  metricsToken: string | undefined;
  redisUrl: string | undefined;
  redisKeyPrefix: string;
  databaseTimeouts: { connectMs: number; queryMs: number };
  redisTimeouts: { connectMs: number; commandMs: number };
  /** Open WebSockets one person may hold (over all nodes with Redis, else per node). */
  maxConnectionsPerUser: number;
  providers: Providers;
  allowList: AllowList;
}

export class ConfigError extends Error {}

/** Reads the configuration once, failing with one clear message that names every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Environment.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${problems.join("\n  ")}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === "production";
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, "");
  const providers = readProviders(e);
  const devSignIn = e.DEV_SIGN_IN ?? !production;
  if (production) checkProductionSafety(e.AUTH_SECRET, devSignIn, providers);
  if (e.WORKERS > 1 && !e.REDIS_URL) {
    throw new ConfigError(
      "WORKERS > 1 needs REDIS_URL: worker processes share fan-out and presence through Redis.",
    );
  }
  return {
    production,
    host: e.HOST,
    port: e.PORT,
    publicUrl,
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL ?? join(e.DATA_DIR, "parley.sqlite"),
    authSecret: e.AUTH_SECRET ?? developmentSecret(e.DATA_DIR),
    devSignIn,
    logLevel: e.LOG_LEVEL,
    webRoot: e.WEB_ROOT,
    sendQueueLimitBytes: e.SEND_QUEUE_LIMIT_BYTES,
    heartbeatIntervalMs: e.HEARTBEAT_INTERVAL_MS,
    workers: e.WORKERS,
    metricsToken: e.METRICS_TOKEN,
    sessionSweepIntervalMs: e.SESSION_SWEEP_INTERVAL_MS,
    sessionTtlSeconds: Math.round(e.SESSION_TTL_DAYS * 24 * 60 * 60),
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    databaseTimeouts: { connectMs: e.DATABASE_CONNECT_TIMEOUT_MS, queryMs: e.DATABASE_QUERY_TIMEOUT_MS },
    redisTimeouts: { connectMs: e.REDIS_CONNECT_TIMEOUT_MS, commandMs: e.REDIS_COMMAND_TIMEOUT_MS },
    maxConnectionsPerUser: e.MAX_CONNECTIONS_PER_USER,
    providers,
    allowList: {
      domains: list(e.ALLOWED_EMAIL_DOMAINS).map((domain) => domain.replace(/^@/, "")),
      emails: list(e.ALLOWED_EMAILS),
    },
  };
}

function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((item) => item.trim().toLowerCase())
    .filter(Boolean);
}

type Env = z.infer<typeof Environment>;

/** A provider is on when its id and secret are both set; one without the other is a mistake. */
function pair(name: string, id: string | undefined, secret: string | undefined): OAuthClient | undefined {
  if (!id && !secret) return undefined;
  if (!id || !secret)
    throw new ConfigError(`${name}_CLIENT_ID and ${name}_CLIENT_SECRET must be set together.`);
  return { clientId: id, clientSecret: secret };
}

function readProviders(e: Env): Providers {
  const github = pair("GITHUB", e.GITHUB_CLIENT_ID, e.GITHUB_CLIENT_SECRET);
  const google = pair("GOOGLE", e.GOOGLE_CLIENT_ID, e.GOOGLE_CLIENT_SECRET);
  const oidcClient = pair("OIDC", e.OIDC_CLIENT_ID, e.OIDC_CLIENT_SECRET);
  if (Boolean(oidcClient) !== Boolean(e.OIDC_ISSUER)) {
    throw new ConfigError("OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set together.");
  }
  const oidc =
    oidcClient && e.OIDC_ISSUER
      ? {
          ...oidcClient,
          id: e.OIDC_PROVIDER_ID,
          name: e.OIDC_PROVIDER_NAME,
          issuer: e.OIDC_ISSUER.replace(/\/$/, ""),
          scopes: e.OIDC_SCOPES.split(/[\s,]+/).filter(Boolean),
        }
      : undefined;
  return { ...(github && { github }), ...(google && { google }), ...(oidc && { oidc }) };
}

const MIN_SECRET_LENGTH = 32;

/** In production, refuse to start rather than run open to anyone or with a guessable secret. */
function checkProductionSafety(secret: string | undefined, devSignIn: boolean, providers: Providers): void {
  if (!secret) {
    throw new ConfigError(
      "AUTH_SECRET is required when NODE_ENV=production (e.g. `openssl rand -base64 32`).",
    );
  }
  if (secret.length < MIN_SECRET_LENGTH || new Set(secret).size < 12) {
    throw new ConfigError(
      `AUTH_SECRET is too weak: use at least ${MIN_SECRET_LENGTH} random characters (e.g. \`openssl rand -base64 32\`).`,
    );
  }
  if (!devSignIn && Object.keys(providers).length === 0) {
    throw new ConfigError(
      "No sign-in method is configured: set GITHUB_*, GOOGLE_* or OIDC_* variables (or DEV_SIGN_IN=true for a private test).",
    );
  }
}

/** Zero set-up: outside production a secret is made once and kept beside the data, so sessions survive restarts. */
function developmentSecret(dataDir: string): string {
  const path = join(dataDir, "auth-secret");
  if (existsSync(path)) return readFileSync(path, "utf8").trim();
  mkdirSync(dirname(path), { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(path, secret, { mode: 0o600 });
  return secret;
}
