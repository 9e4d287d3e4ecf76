import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../support/parley-server.js";
import {
  type GithubUser,
  mockGithubAndGoogle,
  type ProviderMocks,
  signInWith,
} from "../support/provider-mocks.js";

describe("sign-in with GitHub and Google", () => {
  let server: TestServer;
  let mocks: ProviderMocks;
  let githubUser: GithubUser;

  beforeAll(async () => {
    mocks = await mockGithubAndGoogle();
    server = await startServer({ env: mocks.env });
  });

  afterAll(async () => {
    await server?.close();
    await mocks?.restore();
  });

  const github = () => signInWith(server.url, "github");
  const google = () => signInWith(server.url, "google");

  async function me(cookie: string | undefined) {
    const response = await fetch(`${server.url}/api/me`, { headers: { cookie: cookie ?? "" } });
    expect(response.status).toBe(200);
    return ((await response.json()) as { user: { id: string; name: string; image: string } }).user;
  }

  async function userRow(email: string) {
    return server.parley.db.selectFrom("user").selectAll().where("email", "=", email).executeTakeFirst();
  }

  it("offers only the configured providers", async () => {
    const options = await (await fetch(`${server.url}/api/signin-options`)).json();
    expect(options).toEqual({
      devSignIn: true,
      providers: [
        { id: "github", name: "GitHub" },
        { id: "google", name: "Google" },
      ],
    });
  });

  it("signs in a GitHub user whose email is private, using the verified address from the emails endpoint", async () => {
    githubUser = {
      id: 101,
      login: "ada",
      name: "Ada Lovelace",
      email: null,
      avatar_url: "https://avatars.githubusercontent.com/u/101?v=4",
    };
    mocks.github(githubUser, [
      { email: "ada@users.noreply.github.com", primary: false, verified: true },
      { email: "ada@corp.example", primary: true, verified: true },
    ]);
    const result = await github();
    expect(result.status).toBe(302);
    expect(result.location).toBe("/");
    const user = await me(result.sessionCookie);
    expect(user).toMatchObject({
      name: "Ada Lovelace",
      image: "https://avatars.githubusercontent.com/u/101?v=4",
    });
    const row = await userRow("ada@corp.example");
    expect(row?.id).toBe(user.id);
    expect(Boolean(row?.emailVerified)).toBe(true);
  });

  it("refreshes name and avatar from the provider at each sign-in", async () => {
    githubUser = {
      ...githubUser,
      name: "Ada King",
      avatar_url: "https://avatars.githubusercontent.com/u/101?v=5",
    };
    mocks.github(githubUser, [{ email: "ada@corp.example", primary: true, verified: true }]);
    const user = await me((await github()).sessionCookie);
    expect(user).toMatchObject({
      name: "Ada King",
      image: "https://avatars.githubusercontent.com/u/101?v=5",
    });
  });

  it("keeps a provider's name within the display-name rules and its picture only from avatar hosts", async () => {
    const longName = `Ada\u202E\u0000 ${"x".repeat(200)}`;
    githubUser = { ...githubUser, name: longName, avatar_url: "javascript:alert(1)" };
    mocks.github(githubUser, [{ email: "ada@corp.example", primary: true, verified: true }]);
    let user = await me((await github()).sessionCookie);
    expect(user.name).toBe(`Ada ${"x".repeat(60)}`);
    expect(user.image).toBe(`/api/avatars/${user.id}.svg`);
    expect(await userRow("ada@corp.example")).toMatchObject({ name: user.name, image: null });

    githubUser = { ...githubUser, name: "\u202E\u2066 ", avatar_url: "https://evil.example/ada.png" };
    mocks.github(githubUser, [{ email: "ada@corp.example", primary: true, verified: true }]);
    user = await me((await github()).sessionCookie);
    // Nothing usable left: the email's local part stands in.
    expect(user).toMatchObject({ name: "ada", image: `/api/avatars/${user.id}.svg` });

    githubUser = {
      ...githubUser,
      name: "Ada King",
      avatar_url: "https://avatars.githubusercontent.com/u/101?v=5",
    };
    mocks.github(githubUser, [{ email: "ada@corp.example", primary: true, verified: true }]);
    user = await me((await github()).sessionCookie);
    expect(user).toMatchObject({
      name: "Ada King",
      image: "https://avatars.githubusercontent.com/u/101?v=5",
    });
  });

  it("links a Google account with the same verified email to the same user", async () => {
    const githubId = (await userRow("ada@corp.example"))?.id;
    mocks.google({
      sub: "google-ada",
      email: "ada@corp.example",
      email_verified: true,
      name: "Ada (Google)",
      picture: "https://lh3.googleusercontent.com/a/ada",
    });
    const result = await google();
    const user = await me(result.sessionCookie);
    expect(user.id).toBe(githubId);
    const accounts = await server.parley.db
      .selectFrom("account" as never)
      .select(["providerId" as never])
      .where("userId" as never, "=", user.id as never)
      .execute();
    expect(accounts.map((a) => (a as { providerId: string }).providerId).sort()).toEqual([
      "github",
      "google",
    ]);
  });

  it("never links on an unverified email, and tells the person why", async () => {
    mocks.github(
      {
        id: 202,
        login: "bob",
        name: "Bob",
        email: "bob@corp.example",
        avatar_url: "https://avatars.example/bob.png",
      },
      [{ email: "bob@corp.example", primary: true, verified: true }],
    );
    const bob = await me((await github()).sessionCookie);

    mocks.google({
      sub: "google-mallory",
      email: "bob@corp.example",
      email_verified: false,
      name: "Not Bob",
      picture: "https://lh3.example/mallory.jpg",
    });
    const result = await google();
    expect(result.sessionCookie).toBeUndefined();
    expect(result.location).toMatch(/\/signin\?error=account_not_linked/);
    const row = await userRow("bob@corp.example");
    expect(row).toMatchObject({ id: bob.id, name: "Bob" });
  });

  it("enforces one internal user per provider account with a unique index", async () => {
    const row = await userRow("ada@corp.example");
    const insert = () =>
      server.parley.db
        .insertInto("account" as never)
        .values({
          id: `dup-${Math.random()}`,
          accountId: "101",
          providerId: "github",
          userId: row?.id,
          createdAt: new Date().toISOString(),
          updatedAt: new Date().toISOString(),
        } as never)
        .execute();
    await expect(insert()).rejects.toThrow(/unique/i);
  });
});
