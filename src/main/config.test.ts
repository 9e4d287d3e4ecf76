import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";

const base = () => ({ NODE_ENV: "test", DATA_DIR: mkdtempSync(join(tmpdir(), "parley-config-")) });

describe("limit settings", () => {
  it("defaults to 10 messages per second with bursts of 30 and 20 rooms per day", () => {
    expect(loadConfig(base()).limits).toEqual({
      messageRatePerSecond: 10,
      messageBurst: 30,
      roomsPerDay: 20,
      changesPerMinute: 120,
    });
  });

  it("reads the variables and refuses a burst below the rate or a limit of zero", () => {
    const env = { ...base(), MESSAGE_RATE_PER_SECOND: "2", MESSAGE_BURST: "4", ROOMS_PER_DAY: "3" };
    expect(loadConfig(env).limits).toEqual({
      messageRatePerSecond: 2,
      messageBurst: 4,
      roomsPerDay: 3,
      changesPerMinute: 120,
    });
    expect(() => loadConfig({ ...base(), MESSAGE_RATE_PER_SECOND: "10", MESSAGE_BURST: "5" })).toThrow(
      /MESSAGE_BURST must be at least MESSAGE_RATE_PER_SECOND/,
    );
    expect(() => loadConfig({ ...base(), ROOMS_PER_DAY: "0" })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base(), MESSAGE_RATE_PER_SECOND: "fast" })).toThrow(
      /MESSAGE_RATE_PER_SECOND/,
    );
  });
});

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message.split("\n").slice(1);
  }
  throw new Error("loadConfig accepted a bad configuration");
}

describe("start-up configuration", () => {
  it("names every bad variable at once, not only the first", () => {
    const found = problems({
      NODE_ENV: "production",
      AUTH_SECRET: "short",
      PORT: "eighty",
      LOG_LEVEL: "loud",
      TRUST_PROXY: "proxy.example",
      GITHUB_CLIENT_ID: "only-the-id",
      WORKERS: "2",
    });
    const text = found.join("\n");
    for (const name of [
      "PORT",
      "LOG_LEVEL",
      "TRUST_PROXY",
      "GITHUB_CLIENT_SECRET",
      "AUTH_SECRET",
      "REDIS_URL",
    ]) {
      expect(text).toContain(name);
    }
    expect(found.length).toBeGreaterThanOrEqual(6);
  });

  it("names a variable once even when checks across variables involve it", () => {
    const found = problems({ WORKERS: "many", OIDC_ISSUER: "not a url" });
    expect(found.filter((line) => line.includes("WORKERS"))).toHaveLength(1);
    expect(found.filter((line) => line.includes("OIDC_ISSUER"))).toHaveLength(1);
  });
});
