import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/main/config.js";
import { startServer, type TestServer } from "../support/parley-server.js";

async function metricsStatus(server: TestServer, headers: Record<string, string> = {}): Promise<number> {
  const response = await fetch(`${server.url}/metrics`, { headers });
  await response.arrayBuffer();
  return response.status;
}

describe("/metrics and the client address", () => {
  describe("with no trusted proxy", () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer();
    });
    afterAll(async () => {
      await server?.close();
    });

    it("serves a scraper on the same machine", async () => {
      expect(await metricsStatus(server)).toBe(200);
    });

    it("believes no X-Forwarded-For, and refuses what came through an untrusted proxy", async () => {
      // A same-host proxy that is not in TRUST_PROXY forwards everybody from 127.0.0.1.
      expect(await metricsStatus(server, { "x-forwarded-for": "203.0.113.9" })).toBe(403);
      expect(await metricsStatus(server, { "x-forwarded-for": "127.0.0.1, 203.0.113.9" })).toBe(403);
      expect(await metricsStatus(server, { forwarded: "for=203.0.113.9" })).toBe(403);
    });
  });

  describe("behind a trusted proxy (TRUST_PROXY=127.0.0.1)", () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer({ env: { TRUST_PROXY: "127.0.0.1" } });
    });
    afterAll(async () => {
      await server?.close();
    });

    it("refuses a remote client who wrote a loopback address before the one the proxy appended", async () => {
      // With fastify's trustProxy: true this was 200: the leftmost, client-written address won.
      expect(await metricsStatus(server, { "x-forwarded-for": "127.0.0.1, 203.0.113.9" })).toBe(403);
      expect(await metricsStatus(server, { "x-forwarded-for": "203.0.113.9" })).toBe(403);
    });

    it("serves a scraper on the proxy's machine", async () => {
      expect(await metricsStatus(server, { "x-forwarded-for": "127.0.0.1" })).toBe(200);
      expect(await metricsStatus(server)).toBe(200);
    });
  });

  describe("with METRICS_TOKEN", () => {
    let server: TestServer;
    const token = "a-long-metrics-token-0123456789";
    beforeAll(async () => {
      server = await startServer({ env: { METRICS_TOKEN: token } });
    });
    afterAll(async () => {
      await server?.close();
    });

    it("serves only a scraper holding the token", async () => {
      expect(await metricsStatus(server)).toBe(403);
      expect(await metricsStatus(server, { authorization: `Bearer ${token}` })).toBe(200);
    });
  });

  it("accepts addresses and CIDR ranges in TRUST_PROXY, and names it when it is wrong", () => {
    expect(loadConfig({ TRUST_PROXY: "127.0.0.1, 10.0.0.0/8,::1,fd00::/8" }).trustedProxies).toEqual([
      "127.0.0.1",
      "10.0.0.0/8",
      "::1",
      "fd00::/8",
    ]);
    expect(loadConfig({}).trustedProxies).toEqual([]);
    for (const wrong of ["true", "proxy.example", "10.0.0.0/33", "10.0.0.1/8/2"]) {
      expect(() => loadConfig({ TRUST_PROXY: wrong })).toThrow(ConfigError);
      expect(() => loadConfig({ TRUST_PROXY: wrong })).toThrow(/TRUST_PROXY/);
    }
  });
});
