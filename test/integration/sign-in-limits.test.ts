import { Agent, fetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../support/parley-server.js";

/** A client whose connections leave from `address` (any 127.x.y.z is this machine). */
function clientFrom(address: string): Agent {
  return new Agent({ localAddress: address });
}

const agents: Agent[] = [];
function from(address: string): Agent {
  const agent = clientFrom(address);
  agents.push(agent);
  return agent;
}

async function devSignIn(
  server: TestServer,
  agent: Agent,
  headers: Record<string, string> = {},
): Promise<{ status: number; retryAfter: string | null; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}/api/auth/sign-in/anonymous`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: server.url, ...headers },
    body: JSON.stringify({ name: "Limited" }),
    dispatcher: agent,
  });
  const body = (await response.json()) as Record<string, unknown>;
  return { status: response.status, retryAfter: response.headers.get("retry-after"), body };
}

/** better-auth's sign-in rule: 3 requests per 10 s per address. */
const SIGN_INS_PER_WINDOW = 3;

afterAll(async () => {
  await Promise.all(agents.map((agent) => agent.close()));
});

describe("sign-in rate limits, no proxy", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { AUTH_RATE_LIMIT: "true" } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("gives every address its own bucket", async () => {
    // Before, all of them shared one bucket and the fourth person was refused.
    for (let i = 2; i <= 7; i++) {
      expect((await devSignIn(server, from(`127.0.0.${i}`))).status).toBe(200);
    }
  });

  it("refuses one address that keeps signing in, with 429 and Retry-After", async () => {
    const agent = from("127.0.1.1");
    for (let i = 0; i < SIGN_INS_PER_WINDOW; i++) expect((await devSignIn(server, agent)).status).toBe(200);
    const refused = await devSignIn(server, agent);
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(10);
    expect(refused.body).toMatchObject({
      error: "rate_limited",
      retryAfter: Number(refused.retryAfter) * 1000,
    });
    expect(String(refused.body.message)).toMatch(/try again in \d+ s/i);
    // Someone else is not held up by it.
    expect((await devSignIn(server, from("127.0.1.2"))).status).toBe(200);
  });

  it("ignores forwarding headers the client wrote", async () => {
    const agent = from("127.0.2.1");
    for (let i = 0; i < SIGN_INS_PER_WINDOW; i++) {
      expect((await devSignIn(server, agent, { "x-forwarded-for": `203.0.113.${i}` })).status).toBe(200);
    }
    const refused = await devSignIn(server, agent, {
      "x-forwarded-for": "203.0.113.99",
      "x-parley-client-address": "203.0.113.98",
      "x-real-ip": "203.0.113.97",
    });
    expect(refused.status).toBe(429);
  });
});

describe("sign-in rate limits behind a trusted proxy (TRUST_PROXY=127.0.0.1)", () => {
  let server: TestServer;
  let proxy: Agent;
  beforeAll(async () => {
    server = await startServer({ env: { AUTH_RATE_LIMIT: "true", TRUST_PROXY: "127.0.0.1" } });
    proxy = from("127.0.0.1");
  });
  afterAll(async () => {
    await server?.close();
  });

  it("keeps one bucket per client the proxy names", async () => {
    for (let i = 1; i <= 6; i++) {
      expect((await devSignIn(server, proxy, { "x-forwarded-for": `198.51.100.${i}` })).status).toBe(200);
    }
  });

  it("refuses one client behind the proxy, whatever it writes to the left of its address", async () => {
    for (let i = 0; i < SIGN_INS_PER_WINDOW; i++) {
      const forwarded = `10.9.9.${i}, 198.51.100.50`;
      expect((await devSignIn(server, proxy, { "x-forwarded-for": forwarded })).status).toBe(200);
    }
    const refused = await devSignIn(server, proxy, { "x-forwarded-for": "10.9.9.9, 198.51.100.50" });
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
  });
});
