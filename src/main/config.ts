import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { dirname, join } from "node:path";
import { z } from "zod";
import type { AllowList, OAuthClient, Providers } from "../auth/sign-in-settings.js";
import type { UploadSettings } from "../files/file-service.js";
import type { S3Settings } from "../files/s3-file-store.js";
import type { LimitSettings } from "../limits/limits.js";
import { generateVapidKeys } from "../push/web-push-sender.js";

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
  // Just below what one node takes in today (about 850–900 connect-and-resume a second on one
  // core, `npm run bench -- --scenario=reconnect-storm`); raise it as the connect path gets faster.
  CONNECT_ADMISSION_PER_SECOND: z.coerce.number().int().min(0).max(1_000_000).default(800),
  // --- rooms-access ---
  ROOM_ACCESS_CACHE_ROOMS: z.coerce.number().int().min(1).max(10_000_000).default(10_000),
  // --- end rooms-access ---
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
  // --- administration (admin slice) ---
  ADMIN_EMAILS: z.string().optional(),
  AWAY_AFTER_MS: z.coerce.number().int().min(1000).max(86_400_000).default(300_000),
  // notify slice: mentions, typing, Web Push.
  MENTION_ROOM_MAX_MEMBERS: z.coerce.number().int().min(0).max(1_000_000).default(100),
  TYPING_INTERVAL_MS: z.coerce.number().int().min(250).max(4500).default(2500),
  TYPING_BATCH_MS: z.coerce.number().int().min(0).max(3000).default(1000),
  VAPID_PUBLIC_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{87}$/, "must be a P-256 public key in URL-safe base64 (87 characters)")
    .optional(),
  VAPID_PRIVATE_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, "must be a P-256 private key in URL-safe base64 (43 characters)")
    .optional(),
  VAPID_SUBJECT: z
    .string()
    .regex(/^(mailto:|https:\/\/)/, "must be a mailto: address or an https:// URL")
    .optional(),
  // end notify slice
  // edits (issue 15 part A)
  MESSAGE_CHANGES_PER_MINUTE: z.coerce.number().int().min(1).default(120),
  // files (issue 16):
  UPLOAD_MAX_FILE_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(25 * 1024 * 1024),
  UPLOAD_ALLOWED_TYPES: z
    .string()
    .default("*")
    .transform((value) => list(value))
    .refine(
      (patterns) =>
        patterns.length > 0 &&
        patterns.every((p) => p === "*" || /^[a-z0-9.+-]+\/([a-z0-9.+-]+|\*)$/.test(p)),
      {
        message:
          "must be `*` or a comma-separated list of MIME types or type/* patterns (image/*,application/pdf)",
      },
    ),
  UPLOAD_QUOTA_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(1024 * 1024 * 1024),
  UPLOAD_PENDING_TTL_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(24 * 60 * 60 * 1000),
  UPLOAD_SWEEP_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(10 * 60 * 1000),
  IMAGE_MAX_PIXELS: z.coerce.number().int().min(1).default(50_000_000),
  FILE_STORAGE: z.enum(["local", "s3"]).default("local"),
  S3_BUCKET: z.string().min(3).optional(),
  S3_REGION: z.string().min(1).default("us-east-1"),
  S3_ENDPOINT: z.url().optional(),
  S3_FORCE_PATH_STYLE: booleanFlag.optional(),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_KEY_PREFIX: z.string().default(""),
  // --- search (issue 16) ---
  SEARCH_CANDIDATE_LIMIT: z.coerce.number().int().min(20).max(10_000).default(200),
  SEARCH_INDEX: z.enum(["sql", "off"]).default("sql"),
  SEARCH_INDEX_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(200),
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
  /** WebSocket upgrades one node starts per second (0: no limit); past it, 503 with Retry-After. */
  connectAdmissionPerSecond: number;
  /** rooms-access: rooms whose kind and member ids one node keeps for access checks. */
  accessCacheRooms: number;
  providers: Providers;
  allowList: AllowList;
  limits: LimitSettings;
  // --- administration (admin slice) ---
  /** Verified emails whose owners are administrators (lower-case). */
  administratorEmails: string[];
  /** A connected person without reported activity for this long shows as away. */
  awayAfterMs: number;
  /** notify slice: mentions, typing and Web Push. */
  notify: NotifyConfig;
  // files (issue 16):
  uploads: UploadSettings;
  /** How often each node deletes pending uploads past their time. */
  uploadSweepIntervalMs: number;
  /** Where file bytes live: `$DATA_DIR/files`, or a bucket. */
  fileStorage: { kind: "local"; directory: string } | { kind: "s3"; settings: S3Settings };
  /** Search: how many of the newest matches are read and ranked per search. */
  search: { candidateLimit: number; index: "sql" | "off"; indexDelayMs: number };
}

/** notify slice. */
export interface NotifyConfig {
  /** `@here`/`@room` reach rooms of at most this many members; 0 turns them off. */
  roomMentionMaxMembers: number;
  /** At most one typing frame per person per room this often. */
  typingIntervalMs: number;
  vapid: { publicKey: string; privateKey: string; subject: string };
  /** Push endpoints may be plain http (a loopback stand-in in tests); never in production. */
  allowHttpPushEndpoints: boolean;
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
  /** notify slice: typing notices of a room are gathered this long into one frame per node. */
  typingBatchMs: number;
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
  // notify slice: VAPID keys are made once outside production and must be given in production.
  check(["VAPID_PUBLIC_KEY", "VAPID_PRIVATE_KEY"], () => {
    if (Boolean(e.VAPID_PUBLIC_KEY) !== Boolean(e.VAPID_PRIVATE_KEY))
      return "VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY must be set together.";
    if (production && !e.VAPID_PUBLIC_KEY)
      return "VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY are required when NODE_ENV=production (make them with `npx web-push generate-vapid-keys`).";
    return undefined;
  });
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
  // files (issue 16):
  check(["FILE_STORAGE", "S3_BUCKET"], () =>
    e.FILE_STORAGE === "s3" && !e.S3_BUCKET ? "FILE_STORAGE=s3 needs S3_BUCKET." : undefined,
  );
  check(["S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"], () =>
    Boolean(e.S3_ACCESS_KEY_ID) !== Boolean(e.S3_SECRET_ACCESS_KEY)
      ? "S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together (or both left unset for the SDK's default credentials)."
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
      typingBatchMs: e.TYPING_BATCH_MS,
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
    connectAdmissionPerSecond: e.CONNECT_ADMISSION_PER_SECOND,
    accessCacheRooms: e.ROOM_ACCESS_CACHE_ROOMS,
    providers,
    allowList: {
      domains: list(e.ALLOWED_EMAIL_DOMAINS).map((domain) => domain.replace(/^@/, "")),
      emails: list(e.ALLOWED_EMAILS),
    },
    limits: {
      messageRatePerSecond: e.MESSAGE_RATE_PER_SECOND,
      messageBurst: e.MESSAGE_BURST,
      roomsPerDay: e.ROOMS_PER_DAY,
      changesPerMinute: e.MESSAGE_CHANGES_PER_MINUTE,
    },
    administratorEmails: list(e.ADMIN_EMAILS),
    awayAfterMs: e.AWAY_AFTER_MS,
    notify: {
      roomMentionMaxMembers: e.MENTION_ROOM_MAX_MEMBERS,
      typingIntervalMs: e.TYPING_INTERVAL_MS,
      vapid: {
        ...(e.VAPID_PUBLIC_KEY && e.VAPID_PRIVATE_KEY
          ? { publicKey: e.VAPID_PUBLIC_KEY, privateKey: e.VAPID_PRIVATE_KEY }
          : developmentVapidKeys(e.DATA_DIR)),
        subject: e.VAPID_SUBJECT ?? vapidSubject(publicUrl),
      },
      allowHttpPushEndpoints: !production,
    },
    // files (issue 16):
    uploads: {
      maxFileBytes: e.UPLOAD_MAX_FILE_BYTES,
      allowedTypes: e.UPLOAD_ALLOWED_TYPES,
      quotaBytes: e.UPLOAD_QUOTA_BYTES,
      pendingTtlMs: e.UPLOAD_PENDING_TTL_MS,
      maxImagePixels: e.IMAGE_MAX_PIXELS,
      tempDir: join(e.DATA_DIR, "tmp"),
    },
    uploadSweepIntervalMs: e.UPLOAD_SWEEP_INTERVAL_MS,
    fileStorage:
      e.FILE_STORAGE === "s3"
        ? {
            kind: "s3",
            settings: {
              bucket: e.S3_BUCKET ?? "",
              region: e.S3_REGION,
              ...(e.S3_ENDPOINT && { endpoint: e.S3_ENDPOINT }),
              // Self-hosted services (MinIO, Ceph, Garage) address buckets by path; AWS by host.
              forcePathStyle: e.S3_FORCE_PATH_STYLE ?? e.S3_ENDPOINT !== undefined,
              ...(e.S3_ACCESS_KEY_ID &&
                e.S3_SECRET_ACCESS_KEY && {
                  credentials: { accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY },
                }),
              keyPrefix: e.S3_KEY_PREFIX,
            },
          }
        : { kind: "local", directory: join(e.DATA_DIR, "files") },
    search: {
      candidateLimit: e.SEARCH_CANDIDATE_LIMIT,
      index: e.SEARCH_INDEX,
      indexDelayMs: e.SEARCH_INDEX_DELAY_MS,
    },
  };
}

// notify slice
/** Outside production a VAPID key pair is made once and kept beside the data, so subscriptions survive restarts. */
function developmentVapidKeys(dataDir: string): { publicKey: string; privateKey: string } {
  const path = join(dataDir, "vapid-keys.json");
  if (existsSync(path)) {
    const saved = JSON.parse(readFileSync(path, "utf8")) as { publicKey: string; privateKey: string };
    return { publicKey: saved.publicKey, privateKey: saved.privateKey };
  }
  mkdirSync(dirname(path), { recursive: true });
  const keys = generateVapidKeys();
  writeFileSync(path, JSON.stringify(keys), { mode: 0o600 });
  return keys;
}

/** Push services want a contact: the site itself when it is https, else a placeholder address. */
function vapidSubject(publicUrl: string): string {
  return publicUrl.startsWith("https://") ? publicUrl : "mailto:parley@example.invalid";
}
// end notify slice

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
