import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/main/config.js";
import { startServer, type TestServer } from "../support/parley-server.js";
import { mockGithubAndGoogle, type ProviderMocks, signInWith } from "../support/provider-mocks.js";
import { TEST_VAPID_KEYS } from "../support/vapid.js";

describe("the allow-list", () => {
  let server: TestServer;
  let mocks: ProviderMocks;

  beforeAll(async () => {
    mocks = await mockGithubAndGoogle();
    server = await startServer({
      env: {
        ...mocks.env,
        ALLOWED_EMAIL_DOMAINS: "corp.example",
        ALLOWED_EMAILS: "friend@elsewhere.example",
      },
    });
  });

  afterAll(async () => {
    await server?.close();
    await mocks?.restore();
  });

  const users = () => server.parley.db.selectFrom("user").select(["email"]).execute();

  it("admits a verified email of an allowed domain, and an allowed address", async () => {
    mocks.github(
      { id: 1, login: "ada", name: "Ada", email: "ada@corp.example", avatar_url: "https://a.example/1" },
      [{ email: "ada@corp.example", primary: true, verified: true }],
    );
    expect((await signInWith(server.url, "github")).sessionCookie).toBeDefined();
    mocks.github({ id: 2, login: "fr", name: "Friend", email: null, avatar_url: "https://a.example/2" }, [
      { email: "Friend@Elsewhere.example", primary: true, verified: true },
    ]);
    expect((await signInWith(server.url, "github")).sessionCookie).toBeDefined();
  });

  it("refuses anyone else with a clear page and keeps no user row", async () => {
    mocks.github(
      { id: 3, login: "eve", name: "Eve", email: "eve@other.example", avatar_url: "https://a.example/3" },
      [{ email: "eve@other.example", primary: true, verified: true }],
    );
    const refused = await signInWith(server.url, "github");
    expect(refused.sessionCookie).toBeUndefined();
    expect(refused.location).toMatch(/\/signin\?error=/);
    // An allowed domain on an unverified address is refused too.
    mocks.google({
      sub: "g-unverified",
      email: "intruder@corp.example",
      email_verified: false,
      name: "Intruder",
      picture: "https://a.example/4",
    });
    expect((await signInWith(server.url, "google")).sessionCookie).toBeUndefined();
    const emails = (await users()).map((u) => u.email.toLowerCase()).sort();
    expect(emails).toEqual(["ada@corp.example", "friend@elsewhere.example"]);
    const page = await fetch(`${server.url}${refused.location}`);
    expect(page.status).toBe(200);
  });

  it("refuses a known person who comes back with a now-refused email, leaving their profile untouched", async () => {
    const before = await server.parley.db
      .selectFrom("user")
      .selectAll()
      .where("email", "=", "ada@corp.example")
      .executeTakeFirstOrThrow();
    // Ada (GitHub id 1) changed her GitHub email to one the allow-list refuses, and her name.
    mocks.github(
      {
        id: 1,
        login: "ada",
        name: "Ada Elsewhere",
        email: "ada@gone.example",
        avatar_url: "https://avatars.githubusercontent.com/u/1",
      },
      [{ email: "ada@gone.example", primary: true, verified: true }],
    );
    const refused = await signInWith(server.url, "github");
    expect(refused.sessionCookie).toBeUndefined();
    expect(refused.location).toMatch(/\/signin\?error=not_allowed/);
    const after = await server.parley.db
      .selectFrom("user")
      .selectAll()
      .where("id", "=", before.id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual(before);
  });
});

describe("production start-up", () => {
  const strongSecret = "f3Kq9zR1vB7xYt2LmN8pQw4sHc6jUe0a";

  it("refuses to start without a secret, with a weak one, or with no way to sign in", () => {
    expect(() =>
      loadConfig({ NODE_ENV: "production", GITHUB_CLIENT_ID: "a", GITHUB_CLIENT_SECRET: "b" }),
    ).toThrow(/AUTH_SECRET is required/);
    expect(() =>
      loadConfig({
        NODE_ENV: "production",
        AUTH_SECRET: "secretsecretsecretsecretsecret12",
        GITHUB_CLIENT_ID: "a",
        GITHUB_CLIENT_SECRET: "b",
      }),
    ).toThrow(/too weak/);
    expect(() => loadConfig({ NODE_ENV: "production", AUTH_SECRET: "short" })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: "production", AUTH_SECRET: strongSecret })).toThrow(
      /No sign-in method/,
    );
    expect(() =>
      loadConfig({ NODE_ENV: "production", AUTH_SECRET: strongSecret, GITHUB_CLIENT_ID: "only-id" }),
    ).toThrow(/must be set together/);
  });

  it("turns dev sign-in off in production unless DEV_SIGN_IN=true", () => {
    const base = {
      NODE_ENV: "production",
      ...TEST_VAPID_KEYS,
      AUTH_SECRET: strongSecret,
      GITHUB_CLIENT_ID: "a",
      GITHUB_CLIENT_SECRET: "b",
    };
    expect(loadConfig(base).devSignIn).toBe(false);
    expect(loadConfig({ ...base, DEV_SIGN_IN: "true" }).devSignIn).toBe(true);
    expect(
      loadConfig({
        NODE_ENV: "production",
        ...TEST_VAPID_KEYS,
        AUTH_SECRET: strongSecret,
        DEV_SIGN_IN: "true",
      }).devSignIn,
    ).toBe(true);
  });

  it("refuses dev sign-in requests when it is off", async () => {
    const server = await startServer({
      env: {
        NODE_ENV: "production",
        ...TEST_VAPID_KEYS,
        AUTH_SECRET: strongSecret,
        GITHUB_CLIENT_ID: "a",
        GITHUB_CLIENT_SECRET: "b",
      },
    });
    try {
      const response = await fetch(`${server.url}/api/auth/sign-in/anonymous`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: server.url },
        body: JSON.stringify({ name: "Sneaky" }),
      });
      expect(response.status).toBe(404);
      const options = await (await fetch(`${server.url}/api/signin-options`)).json();
      expect(options).toMatchObject({ devSignIn: false });
    } finally {
      await server.close();
    }
  });
});
