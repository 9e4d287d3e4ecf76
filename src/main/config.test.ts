import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";

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
