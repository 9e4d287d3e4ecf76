import { OAuth2Server } from "oauth2-mock-server";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable, launchChromium, screenshot } from "../support/browser.js";
import { startServer, type TestServer } from "../support/parley-server.js";
import { freePort } from "../support/ports.js";

let profile = {
  sub: "olivia-42",
  email: "olivia@corp.example",
  email_verified: true,
  name: "Olivia Oidc",
  picture: "https://avatars.example/olivia.png",
};

/**
 * The whole redirect flow in a real browser against a real OIDC server on loopback.
 * The provider is on 127.0.0.1 and the app on localhost, so their cookies stay apart.
 */
describe.runIf(chromiumAvailable())("sign-in through an OpenID Connect provider", () => {
  let provider: OAuth2Server;
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    provider = new OAuth2Server();
    await provider.issuer.keys.generate("RS256");
    await provider.start(await freePort(), "127.0.0.1");
    provider.service.on("beforeTokenSigning", (token) => {
      Object.assign(token.payload, profile);
    });
    provider.service.on("beforeUserinfo", (userInfo) => {
      userInfo.body = { ...profile };
    });
    const port = await freePort();
    server = await startServer({
      port,
      env: {
        PUBLIC_URL: `http://localhost:${port}`,
        DEV_SIGN_IN: "false",
        OIDC_ISSUER: provider.issuer.url ?? "",
        OIDC_CLIENT_ID: "parley-test",
        OIDC_CLIENT_SECRET: "parley-test-secret",
        OIDC_PROVIDER_NAME: "Keycloak",
        ALLOWED_EMAIL_DOMAINS: "corp.example",
      },
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await provider?.stop();
  });

  it("signs in with the provider's button and lands in the room with the provider's name", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const appUrl = `http://localhost:${new URL(server.url).port}`;
    await page.goto(`${appUrl}/r/general`);
    await page.waitForURL(/\/signin/);
    const button = page.getByTestId("provider-oidc");
    expect(await button.textContent()).toContain("Keycloak");
    // The options are loaded now (the button is there): dev sign-in must not be offered.
    expect(await page.getByTestId("dev-signin").count()).toBe(0);
    await button.click();
    await page.waitForURL(/localhost:\d+\/r\/general$/);
    const me = page.getByTestId("member").filter({ hasText: "Olivia Oidc" });
    await me.waitFor();
    // The picture's host is not an avatar host the CSP allows (decision 0010): the generated one instead.
    expect(await me.locator("img").getAttribute("src")).toMatch(/^\/api\/avatars\/.+\.svg$/);
    await screenshot(page, "oidc-signed-in");

    const cookies = await context.cookies();
    const session = cookies.find((cookie) => cookie.name.endsWith("session_token"));
    expect(session).toMatchObject({ domain: "localhost", httpOnly: true, sameSite: "Lax" });
    await context.close();
  });

  it("shows a clear refusal to someone outside the allow-list", async () => {
    profile = { ...profile, sub: "outsider-1", email: "outsider@elsewhere.example", name: "Outsider" };
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`http://localhost:${new URL(server.url).port}/signin`);
    await page.getByTestId("provider-oidc").click();
    await page.waitForURL(/\/signin\?error=not_allowed/);
    expect(await page.getByTestId("signin-error").textContent()).toMatch(/allow-list/);
    await screenshot(page, "oidc-refused");
    const rows = await server.parley.db.selectFrom("user").select("email").execute();
    expect(rows.map((row) => row.email)).toEqual(["olivia@corp.example"]);
    await context.close();
  });
});
