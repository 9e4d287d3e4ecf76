import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn } from "../support/chat-client.js";
import { startServer, type TestServer } from "../support/parley-server.js";

describe("display names and pictures", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
  });

  afterAll(async () => {
    await server?.close();
  });

  async function devSignIn(name: string) {
    const response = await fetch(`${server.url}/api/auth/sign-in/anonymous`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.url },
      body: JSON.stringify({ name }),
    });
    return { status: response.status, body: (await response.json()) as { message?: string } };
  }

  async function updateUser(cookie: string, body: Record<string, unknown>) {
    const response = await fetch(`${server.url}/api/auth/update-user`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json", origin: server.url },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { error?: string; message?: string } };
  }

  const stored = (id: string) =>
    server.parley.db
      .selectFrom("user")
      .select(["name", "image"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();

  it("takes a dev sign-in name trimmed and NFC-normalised, up to 64 characters", async () => {
    const decomposed = await signIn(server.url, "  Jose\u0301  ");
    expect(decomposed.user.name).toBe("Jos\u00e9");
    const longest = "\u{1F600}".repeat(64);
    expect((await signIn(server.url, longest)).user.name).toBe(longest);
  });

  it("refuses dev sign-in names that are empty, too long, or carry control or direction characters", async () => {
    for (const [name, reason] of [
      ["   ", /empty/],
      ["x".repeat(65), /longer than 64/],
      ["admin\u202Egnp.exe", /text-direction/],
      ["a\u2066b\u2069", /text-direction/],
      ["tab\there", /control/],
      ["nul\u0000", /control/],
    ] as const) {
      const refused = await devSignIn(name);
      expect(refused.status).toBe(400);
      expect(refused.body.message).toMatch(reason);
    }
  });

  it("changes the name through update-user only within the same rules", async () => {
    const user = await signIn(server.url, "Renamer");
    // Before: 250,000 characters were stored.
    const huge = await updateUser(user.cookie, { name: "x".repeat(250_000) });
    expect(huge.status).toBe(400);
    expect(huge.body).toMatchObject({
      error: "bad_request",
      message: expect.stringMatching(/longer than 64/),
    });
    expect((await updateUser(user.cookie, { name: "\u202Eevil" })).status).toBe(400);
    expect((await updateUser(user.cookie, { name: "" })).status).toBe(400);
    expect((await stored(user.user.id)).name).toBe("Renamer");

    const renamed = await updateUser(user.cookie, { name: "  Re\u0301named  " });
    expect(renamed.status).toBe(200);
    expect((await stored(user.user.id)).name).toBe("R\u00e9named");
  });

  it("never takes a picture URL from the client", async () => {
    const user = await signIn(server.url, "Painter");
    for (const image of [
      "javascript:alert(1)",
      "https://evil.example/tracker.png",
      "https://avatars.githubusercontent.com/u/1",
      `/api/avatars/${user.user.id}.svg`,
    ]) {
      const refused = await updateUser(user.cookie, { image });
      expect(refused.status).toBe(400);
      expect(refused.body.message).toMatch(/only the display name can be changed/);
    }
    expect(
      (await updateUser(user.cookie, { name: "Painter", image: "https://evil.example/x.png" })).status,
    ).toBe(400);
    expect(await stored(user.user.id)).toEqual({ name: "Painter", image: null });
    const me = await (await fetch(`${server.url}/api/me`, { headers: { cookie: user.cookie } })).json();
    expect(me.user.image).toBe(`/api/avatars/${user.user.id}.svg`);
  });
});
