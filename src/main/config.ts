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
});

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
  return {
    production,
    host: e.HOST,
    port: e.PORT,
    publicUrl,
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL ?? join(e.DATA_DIR, "parley.sqlite"),
    authSecret: e.AUTH_SECRET ?? developmentSecret(e.DATA_DIR, production),
    devSignIn: e.DEV_SIGN_IN ?? !production,
    logLevel: e.LOG_LEVEL,
    webRoot: e.WEB_ROOT,
    sendQueueLimitBytes: e.SEND_QUEUE_LIMIT_BYTES,
    heartbeatIntervalMs: e.HEARTBEAT_INTERVAL_MS,
  };
}

/** Zero set-up: outside production a secret is made once and kept beside the data, so sessions survive restarts. */
function developmentSecret(dataDir: string, production: boolean): string {
  if (production) throw new ConfigError("AUTH_SECRET is required when NODE_ENV=production.");
  const path = join(dataDir, "auth-secret");
  if (existsSync(path)) return readFileSync(path, "utf8").trim();
  mkdirSync(dirname(path), { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(path, secret, { mode: 0o600 });
  return secret;
}
