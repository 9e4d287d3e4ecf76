import { describe, expect, it } from "vitest";
import {
  chromiumAvailable,
  createRoom,
  devSignIn,
  screenshot,
  serverAndBrowser,
} from "../support/browser.js";

describe.runIf(chromiumAvailable())("in a real browser", () => {
  const env = serverAndBrowser();

  it("sends a page without a session to sign-in, which says it is development mode", async () => {
    const context = await env.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${env.server.url}/r/general`);
    await page.waitForURL(/\/signin/);
    // The sign-in options load after the page: wait for the notice rather than peek at once.
    await page
      .getByText(/development/i)
      .first()
      .waitFor({ state: "visible" });
    await page.getByTestId("dev-signin").waitFor();
    await context.close();
  });

  it("lets two people talk: Enter sends, Shift+Enter breaks the line, the count goes 1 → 2 → 1", async () => {
    const adaContext = await env.browser.newContext();
    const bobContext = await env.browser.newContext();
    const ada = await adaContext.newPage();
    const bob = await bobContext.newPage();

    await devSignIn(ada, env.server.url, "Ada Lovelace");
    await expect.poll(() => ada.getByTestId("member-count").textContent()).toBe("1");
    await expect
      .poll(() => ada.getByTestId("connection-status").getAttribute("data-state"))
      .toBe("connected");

    await devSignIn(bob, env.server.url, "Bob Babbage");
    await expect.poll(() => ada.getByTestId("member-count").textContent()).toBe("2");
    await expect.poll(() => bob.getByTestId("member-count").textContent()).toBe("2");

    const composer = ada.getByTestId("composer");
    await composer.click();
    await composer.pressSequentially("first line");
    await composer.press("Shift+Enter");
    await composer.pressSequentially("second line");
    await composer.press("Enter");
    const received = bob.getByTestId("message-body").filter({ hasText: "first line" });
    await received.waitFor();
    expect(await received.textContent()).toBe("first line\nsecond line");
    expect(await bob.getByTestId("message-author").last().textContent()).toBe("Ada Lovelace");
    expect(await composer.inputValue()).toBe("");
    expect(await ada.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("composer");
    // The sender is still in the room: the reply reaches it.
    await bob.getByTestId("composer").fill("hello Ada");
    await bob.getByTestId("composer").press("Enter");
    await ada.getByTestId("message-body").filter({ hasText: "hello Ada" }).waitFor();
    await screenshot(ada, "room-view-ada");
    await screenshot(bob, "room-view-bob");

    await bob.close();
    await expect.poll(() => ada.getByTestId("member-count").textContent(), { timeout: 3000 }).toBe("1");
    await adaContext.close();
    await bobContext.close();
  });

  it("shows HTML in a message as text and runs none of it", async () => {
    const context = await env.browser.newContext();
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await devSignIn(page, env.server.url, "Mallory");
    const payload = `<img src=x onerror="window.__pwned=1;alert(1)"><script>window.__pwned=2</script>`;
    await page.getByTestId("composer").fill(payload);
    await page.getByTestId("composer").press("Enter");
    const shown = page.getByTestId("message-body").filter({ hasText: "<img src=x" });
    await shown.waitFor();
    expect(await shown.textContent()).toBe(payload);
    expect(await page.locator("[data-testid=message-list] img[src=x]").count()).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    await screenshot(page, "room-view-html-as-text");
    await context.close();
  });

  it("creates a room, switches to it without reloading, and a reload lands in the same room", async () => {
    const context = await env.browser.newContext();
    const page = await context.newPage();
    await devSignIn(page, env.server.url, "Grace");
    await page.evaluate(() => {
      (window as { __noReload?: boolean }).__noReload = true;
    });
    await createRoom(page, "Launch Plans", "launch-plans");
    await page.getByTestId("composer").fill("in the new room");
    await page.getByTestId("composer").press("Enter");
    await page.getByTestId("message-body").filter({ hasText: "in the new room" }).waitFor();
    await page.locator("[data-testid=room-link][data-slug=general]").click();
    await page.waitForURL(/\/r\/general$/);
    expect(await page.evaluate(() => (window as { __noReload?: boolean }).__noReload)).toBe(true);
    await page.goto(`${env.server.url}/r/launch-plans`);
    await page.getByTestId("message-body").filter({ hasText: "in the new room" }).waitFor();
    await context.close();
  });
});
