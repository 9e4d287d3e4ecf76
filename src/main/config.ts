import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { dirname, join } from "node:path";
import { z } from "zod";
import type { AllowList, OAuthClient, Providers } from "../auth/sign-in-settings.js";
import type { LimitSettings } from "../limits/limits.js";

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
  AUTH_RATE_LIMIT: booleanFlag.optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  WEB_ROOT: z.string().default("./dist/web"),
  SEND_QUEUE_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(16 * 1024)
    .default(1024 * 1024),
  HEARTBEAT_INTERVAL_MS: z.coerce.number().int().min(100).default(20_000),
  // Timings below have production defaults; tests shorten them instead of waiting.
  PRESENCE_HEARTBEAT_MS: z.coerce.number().int().min(50).default(5_000),
  PRESENCE_NODE_TIMEOUT_MS: z.coerce.number().int().min(150).default(15_000),
  PRESENCE_BATCH_MS: z.coerce.number().int().min(0).default(100),
  ROOM_REORDER_WAIT_MS: z.coerce.number().int().min(1).default(500),
  SESSION_CONFIRM_WINDOW_MS: z.coerce.number().int().min(0).default(60_000),
  METRICS_TOKEN: z.string().min(16).optional(),
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((value) => list(value))
    .refine((entries) => entries.every(isAddressOrCidr), {
      message: "must be a comma-separated list of IP addresses or CIDR ranges (e.g. 127.0.0.1,10.0.0.0/8)",
    }),
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
  MESSAGE_RATE_PER_SECOND: z.coerce.number().int().min(1).default(10),
  MESSAGE_BURST: z.coerce.number().int().min(1).default(30),
  ROOMS_PER_DAY: z.coerce.number().int().min(1).default(20),
  // --- search (issue 16) ---
  SEARCH_CANDIDATE_LIMIT: z.coerce.number().int().min(20).max(10_000).default(200),
  SEARCH_INDEX: z.enum(["sql", "off"]).default("sql"),
});

/** The name of every variable Parley reads (docs/configuration.md must describe each). */
export const ENVIRONMENT_VARIABLES: readonly string[] = Object.keys(Environment.shape);

export interface Config {
  production: boolean;
  host: string;
  port: number;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string;
  authSecret: string;
  devSignIn: boolean;
  /** Per-address rate limits on the auth routes (on in production unless AUTH_RATE_LIMIT=false). */
  authRateLimit: boolean;
  logLevel: string;
  webRoot: string;
  sendQueueLimitBytes: number;
  heartbeatIntervalMs: number;
  timings: Timings;
  sessionTtlSeconds: number;
  sessionSweepIntervalMs: number;
  workers: number;
  metricsToken: string | undefined;
  /** Proxies whose X-Forwarded-For is believed (addresses or CIDRs); empty: the socket's address is the client's. */
  trustedProxies: string[];
  redisUrl: string | undefined;
  redisKeyPrefix: string;
  databaseTimeouts: { connectMs: number; queryMs: number };
  redisTimeouts: { connectMs: number; commandMs: number };
  /** Open WebSockets one person may hold (over all nodes with Redis, else per node). */
  maxConnectionsPerUser: number;
  providers: Providers;
  allowList: AllowList;
  limits: LimitSettings;
  /** Search: how many of the newest matches are read and ranked per search. */
  search: { candidateLimit: number; index: "sql" | "off" };
}

/** How long things wait; every one injectable, so tests need not wait production's times. */
export interface Timings {
  /** How often each node tells Redis it is alive. */
  presenceHeartbeatMs: number;
  /** A node silent this long is dead: its members leave every room on every node. */
  presenceNodeTimeoutMs: number;
  /** Presence changes of a room are gathered this long into one frame. */
  presenceBatchMs: number;
  /** How long a node waits for a missing sequence number before delivering past the gap. */
  reorderWaitMs: number;
  /** How long a cookie that passed the full session check is only confirmed in the session table. */
  sessionConfirmWindowMs: number;
}

export class ConfigError extends Error {}

/** Reads the configuration once, failing with one clear message that names every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const { values: e, bad } = parseEachVariable(env, problems);
  /** Runs a check across variables only when each of them parsed, so one mistake is named once. */
  const check = (names: Array<keyof Env>, problem: () => string | undefined) => {
    if (names.some((name) => bad.has(name))) return;
    const found = problem();
    if (found) problems.push(found);
  };
  const production = e.NODE_ENV === "production";
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, "");
  const providers = readProviders(e, check);
  const devSignIn = e.DEV_SIGN_IN ?? !production;
  if (production) checkProductionSafety(e.AUTH_SECRET, devSignIn, providers, check);
  check(["PRESENCE_NODE_TIMEOUT_MS", "PRESENCE_HEARTBEAT_MS"], () =>
    e.PRESENCE_NODE_TIMEOUT_MS < 2 * e.PRESENCE_HEARTBEAT_MS
      ? "PRESENCE_NODE_TIMEOUT_MS must be at least twice PRESENCE_HEARTBEAT_MS, or live nodes would be taken for dead."
      : undefined,
  );
  check(["WORKERS", "REDIS_URL"], () =>
    e.WORKERS > 1 && !e.REDIS_URL
      ? "WORKERS > 1 needs REDIS_URL: worker processes share fan-out and presence through Redis."
      : undefined,
  );
  check(["MESSAGE_BURST", "MESSAGE_RATE_PER_SECOND"], () =>
    e.MESSAGE_BURST < e.MESSAGE_RATE_PER_SECOND
      ? "MESSAGE_BURST must be at least MESSAGE_RATE_PER_SECOND."
      : undefined,
  );
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n  ${problems.join("\n  ")}`);
  return {
    production,
    host: e.HOST,
    port: e.PORT,
    publicUrl,
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL ?? join(e.DATA_DIR, "parley.sqlite"),
    authSecret: e.AUTH_SECRET ?? developmentSecret(e.DATA_DIR),
    devSignIn,
    authRateLimit: e.AUTH_RATE_LIMIT ?? production,
    logLevel: e.LOG_LEVEL,
    webRoot: e.WEB_ROOT,
    sendQueueLimitBytes: e.SEND_QUEUE_LIMIT_BYTES,
    heartbeatIntervalMs: e.HEARTBEAT_INTERVAL_MS,
    timings: {
      presenceHeartbeatMs: e.PRESENCE_HEARTBEAT_MS,
      presenceNodeTimeoutMs: e.PRESENCE_NODE_TIMEOUT_MS,
      presenceBatchMs: e.PRESENCE_BATCH_MS,
      reorderWaitMs: e.ROOM_REORDER_WAIT_MS,
      sessionConfirmWindowMs: e.SESSION_CONFIRM_WINDOW_MS,
    },
    workers: e.WORKERS,
    metricsToken: e.METRICS_TOKEN,
    trustedProxies: e.TRUST_PROXY,
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
    limits: {
      messageRatePerSecond: e.MESSAGE_RATE_PER_SECOND,
      messageBurst: e.MESSAGE_BURST,
      roomsPerDay: e.ROOMS_PER_DAY,
    },
    search: { candidateLimit: e.SEARCH_CANDIDATE_LIMIT, index: e.SEARCH_INDEX },
  };
}

function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((item) => item.trim().toLowerCase())
    .filter(Boolean);
}

/** An IPv4/IPv6 address, or one with a /prefix that fits its family. */
function isAddressOrCidr(entry: string): boolean {
  const [address = "", prefix, ...rest] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

type Env = z.infer<typeof Environment>;
type Check = (names: Array<keyof Env>, problem: () => string | undefined) => void;

/**
 * Each variable on its own, so every bad one is named; `values` is complete only when
 * `problems` stays empty (loadConfig throws otherwise).
 */
function parseEachVariable(env: NodeJS.ProcessEnv, problems: string[]): { values: Env; bad: Set<keyof Env> } {
  const values: Record<string, unknown> = {};
  const bad = new Set<keyof Env>();
  for (const [name, schema] of Object.entries(Environment.shape)) {
    const result = schema.safeParse(env[name]);
    if (result.success) {
      values[name] = result.data;
      continue;
    }
    bad.add(name as keyof Env);
    for (const issue of result.error.issues) problems.push(`${name}: ${issue.message}`);
  }
  return { values: values as Env, bad };
}

/** A provider is on when its id and secret are both set; one without the other is a mistake. */
function pair(name: "GITHUB" | "GOOGLE" | "OIDC", e: Env, check: Check): OAuthClient | undefined {
  const id = e[`${name}_CLIENT_ID`];
  const secret = e[`${name}_CLIENT_SECRET`];
  check([`${name}_CLIENT_ID`, `${name}_CLIENT_SECRET`], () =>
    Boolean(id) !== Boolean(secret)
      ? `${name}_CLIENT_ID and ${name}_CLIENT_SECRET must be set together.`
      : undefined,
  );
  return id && secret ? { clientId: id, clientSecret: secret } : undefined;
}

function readProviders(e: Env, check: Check): Providers {
  const github = pair("GITHUB", e, check);
  const google = pair("GOOGLE", e, check);
  const oidcClient = pair("OIDC", e, check);
  check(["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"], () =>
    Boolean(e.OIDC_CLIENT_ID || e.OIDC_CLIENT_SECRET) !== Boolean(e.OIDC_ISSUER)
      ? "OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set together."
      : undefined,
  );
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
function checkProductionSafety(
  secret: string | undefined,
  devSignIn: boolean,
  providers: Providers,
  check: Check,
): void {
  check(["AUTH_SECRET"], () => {
    if (!secret) return "AUTH_SECRET is required when NODE_ENV=production (e.g. `openssl rand -base64 32`).";
    if (secret.length < MIN_SECRET_LENGTH || new Set(secret).size < 12)
      return `AUTH_SECRET is too weak: use at least ${MIN_SECRET_LENGTH} random characters (e.g. \`openssl rand -base64 32\`).`;
    return undefined;
  });
  check(
    [
      "DEV_SIGN_IN",
      "GITHUB_CLIENT_ID",
      "GITHUB_CLIENT_SECRET",
      "GOOGLE_CLIENT_ID",
      "GOOGLE_CLIENT_SECRET",
      "OIDC_ISSUER",
      "OIDC_CLIENT_ID",
      "OIDC_CLIENT_SECRET",
    ],
    () =>
      !devSignIn && Object.keys(providers).length === 0
        ? "No sign-in method is configured: set GITHUB_*, GOOGLE_* or OIDC_* variables (or DEV_SIGN_IN=true for a private test)."
        : undefined,
  );
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
