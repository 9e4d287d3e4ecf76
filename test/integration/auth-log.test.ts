import { OAuth2Server } from "oauth2-mock-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatClient, signIn, waitUntil } from "../support/chat-client.js";
import { type LogLine, LogLines } from "../support/log-lines.js";
import { oauthSignIn } from "../support/oauth-flow.js";
import { startServer, type TestServer } from "../support/parley-server.js";
import { freePort } from "../support/ports.js";
import { mockGithubAndGoogle, type ProviderMocks, signInWith } from "../support/provider-mocks.js";

const WARN = 40;
const INFO = 30;

/** The request id of the access-log line for a path (fastify's "incoming request"). */
function requestIdOf(logs: LogLines, path: RegExp): string[] {
  return logs
    .matching(/^incoming request$/)
    .filter((line) => path.test(String((line.req as { url?: string } | undefined)?.url ?? "")))
    .map((line) => String(line.reqId));
}

describe("sign-in and sign-out log lines", () => {
  const logs = new LogLines();
  let server: TestServer;
  let mocks: ProviderMocks;

  beforeAll(async () => {
    mocks = await mockGithubAndGoogle();
    server = await startServer({
      env: { ...mocks.env, LOG_LEVEL: "info", ALLOWED_EMAIL_DOMAINS: "corp.example" },
      logDestination: logs,
    });
  });

  afterAll(async () => {
    await server?.close();
    await mocks?.restore();
  });

  const userIdByEmail = async (email: string) =>
    (
      await server.parley.db
        .selectFrom("user")
        .select("id")
        .where("email", "=", email)
        .executeTakeFirstOrThrow()
    ).id;

  it("logs a provider sign-in with the request id, the user id and the provider", async () => {
    mocks.github(
      { id: 11, login: "ada", name: "Ada", email: "ada@corp.example", avatar_url: "https://a.example/1" },
      [{ email: "ada@corp.example", primary: true, verified: true }],
    );
    const result = await signInWith(server.url, "github");
    expect(result.sessionCookie).toBeDefined();
    await waitUntil(() => logs.matching(/^signed in$/).length === 1, "the sign-in logged");
    const [line] = logs.matching(/^signed in$/);
    expect(line).toMatchObject({
      level: INFO,
      provider: "github",
      userId: await userIdByEmail("ada@corp.example"),
    });
    expect(requestIdOf(logs, /^\/api\/auth\/callback\/github/)).toEqual([line?.reqId]);
  });

  it("logs a refused provider sign-in with the reason and no user", async () => {
    mocks.github(
      { id: 12, login: "eve", name: "Eve", email: "eve@other.example", avatar_url: "https://a.example/2" },
      [{ email: "eve@other.example", primary: true, verified: true }],
    );
    const refused = await signInWith(server.url, "github");
    expect(refused.sessionCookie).toBeUndefined();
    const failed = logs.matching(/^sign-in failed$/);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ level: WARN, provider: "github", reason: "not_allowed" });
    expect(failed[0]?.userId).toBeUndefined();
    expect(requestIdOf(logs, /^\/api\/auth\/callback\/github/)).toContain(failed[0]?.reqId);
    expect(logs.matching(/^signed in$/)).toHaveLength(1);
  });

  it("takes no error the client wrote into its own callback address for a failure", async () => {
    mocks.github(
      { id: 11, login: "ada", name: "Ada", email: "ada@corp.example", avatar_url: "https://a.example/1" },
      [{ email: "ada@corp.example", primary: true, verified: true }],
    );
    const failedBefore = logs.matching(/^sign-in failed$/).length;
    const result = await oauthSignIn(server.url, {
      path: "/api/auth/sign-in/social",
      body: { provider: "github", callbackURL: "/r/general?error=forged%0Aline" },
    });
    expect(result.sessionCookie).toBeDefined();
    expect(result.location).toContain("error=forged");
    await waitUntil(() => logs.matching(/^signed in$/).length === 2, "the second sign-in logged");
    expect(logs.matching(/^sign-in failed$/)).toHaveLength(failedBefore);
  });

  it("logs dev sign-in, a refused one, and sign-out, with the user id", async () => {
    const user = await signIn(server.url, "Grace");
    await waitUntil(() => logs.matching(/^signed in$/).length === 3, "the dev sign-in logged");
    expect(logs.matching(/^signed in$/)[2]).toMatchObject({ provider: "dev", userId: user.user.id });

    const empty = await fetch(`${server.url}/api/auth/sign-in/anonymous`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.url },
      body: JSON.stringify({ name: "   " }),
    });
    expect(empty.status).toBe(400);
    expect(logs.matching(/^sign-in failed$/)[1]).toMatchObject({ level: WARN, provider: "dev" });

    const out = await fetch(`${server.url}/api/auth/sign-out`, {
      method: "POST",
      headers: { cookie: user.cookie, origin: server.url, "content-type": "application/json" },
      body: "{}",
    });
    expect(out.status).toBe(200);
    const [signedOut] = logs.matching(/^signed out$/);
    expect(signedOut).toMatchObject({ level: INFO, userId: user.user.id });
    expect(requestIdOf(logs, /^\/api\/auth\/sign-out$/)).toEqual([signedOut?.reqId]);
  });

  it("never logs a token, a cookie, an OAuth code or secret, or a message body", async () => {
    const user = await signIn(server.url, "Quiet");
    const client = await ChatClient.connect(server.wsUrl, user.cookie);
    const rooms = (await (
      await fetch(`${server.url}/api/rooms`, { headers: { cookie: user.cookie } })
    ).json()) as {
      rooms: Array<{ id: string }>;
    };
    const roomId = rooms.rooms[0]?.id as string;
    await client.join(roomId);
    const body = "the body of a private message 4f1c";
    client.send({ type: "send", roomId, clientId: "log-check-1", body });
    await client.waitFor((frame) => frame.type === "ack");
    await client.close();
    await waitUntil(() => logs.matching(/^socket closed$/).length > 0, "the socket close logged");

    const text = logs.lines.map((line: LogLine) => JSON.stringify(line)).join("\n");
    const token = decodeURIComponent(user.cookie.split("=")[1] ?? "").split(".")[0] as string;
    expect(token.length).toBeGreaterThan(10);
    for (const secret of [token, "gh-secret", "gh-access", "test-code", "google-secret", body]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/session_token|set-cookie|"cookie"|authorization/i);
  });
});

describe("the sign-in log line of an OpenID Connect provider", () => {
  const logs = new LogLines();
  let issuer: OAuth2Server;
  let server: TestServer;

  beforeAll(async () => {
    issuer = new OAuth2Server();
    await issuer.issuer.keys.generate("RS256");
    await issuer.start(await freePort(), "127.0.0.1");
    const profile = { sub: "olivia-1", email: "olivia@corp.example", email_verified: true, name: "Olivia" };
    issuer.service.on("beforeTokenSigning", (token) => {
      Object.assign(token.payload, profile);
    });
    issuer.service.on("beforeUserinfo", (userInfo) => {
      userInfo.body = { ...profile };
    });
    server = await startServer({
      env: {
        LOG_LEVEL: "info",
        OIDC_ISSUER: issuer.issuer.url ?? "",
        OIDC_CLIENT_ID: "parley-test",
        OIDC_CLIENT_SECRET: "oidc-client-secret-5e2a",
        OIDC_PROVIDER_ID: "corp-sso",
      },
      logDestination: logs,
    });
  });

  afterAll(async () => {
    await server?.close();
    await issuer?.stop();
  });

  /** The whole redirect flow through the issuer's own authorize endpoint, as a browser follows it. */
  async function signInThroughIssuer(): Promise<string | undefined> {
    const started = await fetch(`${server.url}/api/auth/sign-in/social`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.url },
      body: JSON.stringify({ provider: "corp-sso", callbackURL: "/" }),
    });
    const cookies = started.headers.getSetCookie().map((header) => header.split(";")[0]);
    const { url } = (await started.json()) as { url: string };
    const authorized = await fetch(url, { redirect: "manual" });
    const callback = authorized.headers.get("location") ?? "";
    const finished = await fetch(callback, { redirect: "manual", headers: { cookie: cookies.join("; ") } });
    return finished.headers
      .getSetCookie()
      .map((header) => header.split(";")[0] ?? "")
      .find((cookie) => cookie.includes("session_token=") && !cookie.endsWith("="));
  }

  it("names the provider by its configured id, on success and on failure", async () => {
    expect(await signInThroughIssuer()).toBeDefined();
    await waitUntil(() => logs.matching(/^signed in$/).length === 1, "the sign-in logged");
    const [line] = logs.matching(/^signed in$/);
    const user = await server.parley.db
      .selectFrom("user")
      .select("id")
      .where("email", "=", "olivia@corp.example")
      .executeTakeFirstOrThrow();
    expect(line).toMatchObject({ provider: "corp-sso", userId: user.id });
    expect(requestIdOf(logs, /\/callback\/corp-sso/)).toEqual([line?.reqId]);

    // A code the issuer never gave: refused at the token exchange.
    const forged = await oauthSignIn(server.url, {
      path: "/api/auth/sign-in/social",
      body: { provider: "corp-sso" },
    });
    expect(forged.sessionCookie).toBeUndefined();
    expect(logs.matching(/^sign-in failed$/)).toMatchObject([
      { provider: "corp-sso", reason: "invalid_code" },
    ]);
    const text = logs.lines.map((l) => JSON.stringify(l)).join("\n");
    expect(text).not.toContain("oidc-client-secret-5e2a");
    expect(text).not.toContain("test-code");
  });
});
