import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterEach, describe, expect, it } from "vitest";
import { seriousAxeViolations } from "../support/axe.js";
import {
  chromiumAvailable,
  createRoom,
  devSignIn,
  screenshot,
  serverAndBrowser,
} from "../support/browser.js";

describe.runIf(chromiumAvailable())("mentions, typing and notifications in a real browser", () => {
  const env = serverAndBrowser();
  const contexts: BrowserContext[] = [];

  async function person(
    browser: Browser,
    name: string,
    options: { colorScheme?: "dark"; locale?: string } = {},
  ) {
    const context = await browser.newContext({
      // axe is injected as a script; the app's CSP would refuse it.
      bypassCSP: true,
      colorScheme: options.colorScheme ?? "light",
      ...(options.locale ? { locale: options.locale } : {}),
    });
    context.setDefaultTimeout(8000);
    contexts.push(context);
    const page = await context.newPage();
    await devSignIn(page, env.server.url, name);
    await expect
      .poll(() => page.getByTestId("connection-status").getAttribute("data-state"), { timeout: 10_000 })
      .toBe("connected");
    return page;
  }

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
  });

  const composer = (page: Page) => page.getByTestId("composer");
  const sendAndWait = async (page: Page, text: string) => {
    await composer(page).fill(text);
    await composer(page).press("Enter");
    await page.getByTestId("message-body").filter({ hasText: text }).waitFor();
  };

  it("mentions with the keyboard: @ suggests members, Enter picks, the mention is highlighted (yours more strongly) and badged", async () => {
    const aiko = await person(env.browser, "Aiko Tanaka");
    const ben = await person(env.browser, "Ben Okafor", { colorScheme: "dark" });
    // Aiko looks at another room: the mention reaches her as a badge in the room list and the title.
    await createRoom(aiko, "Elsewhere", "elsewhere");

    await composer(ben).click();
    await composer(ben).pressSequentially("hi @ai");
    const options = ben.getByTestId("mention-option");
    await expect.poll(() => options.allTextContents(), { timeout: 5000 }).toEqual(["Aiko Tanaka"]);
    await screenshot(ben, "notify-mention-suggestions-dark");
    expect(await seriousAxeViolations(ben)).toEqual([]);
    await composer(ben).press("Enter");
    expect(await composer(ben).inputValue()).toBe("hi @Aiko Tanaka ");
    expect(await options.count()).toBe(0);
    await composer(ben).pressSequentially("the build is red");
    await composer(ben).press("Enter");
    await ben.getByTestId("message-body").filter({ hasText: "the build is red" }).waitFor();
    expect(await ben.getByTestId("mention").first().textContent()).toBe("@Aiko Tanaka");

    const badge = aiko.locator("[data-testid=room-link][data-slug=general] [data-testid=mention-badge]");
    await expect.poll(() => badge.textContent(), { timeout: 5000 }).toBe("@1");
    await expect.poll(() => aiko.title(), { timeout: 5000 }).toContain("@1");
    // The badge is stored on the server: it survives a reload.
    await aiko.reload();
    await expect.poll(() => badge.textContent(), { timeout: 5000 }).toBe("@1");
    await aiko.getByTestId("mentions-open").click();
    const entry = aiko.getByTestId("mention-entry");
    await expect.poll(() => entry.count(), { timeout: 5000 }).toBe(1);
    expect(await entry.first().textContent()).toContain("the build is red");
    expect(await entry.first().getAttribute("href")).toMatch(/^\/r\/general\?m=\d+$/);
    await screenshot(aiko, "notify-recent-mentions");
    expect(await seriousAxeViolations(aiko)).toEqual([]);
    await aiko.getByTestId("mentions-close").click();

    // Reading the room clears the badge; her own mention stands out.
    await aiko.locator("[data-testid=room-link][data-slug=general]").click();
    await aiko.getByTestId("mention-me").filter({ hasText: "@Aiko Tanaka" }).waitFor();
    await expect.poll(() => badge.count(), { timeout: 5000 }).toBe(0);
    await screenshot(aiko, "notify-mention-highlighted");
  });

  it("does nothing mid-composition with an IME, then suggests from what was committed", async () => {
    await person(env.browser, "青木 花子");
    const ben = await person(env.browser, "Ben Ime", { locale: "ja-JP" });
    const input = composer(ben);
    await input.click();
    const cdp = await ben.context().newCDPSession(ben);
    await input.pressSequentially("@");
    // The IME shows "あお" underlined: nothing is suggested yet (the list would show in this same render).
    await cdp.send("Input.imeSetComposition", { text: "あお", selectionStart: 2, selectionEnd: 2 });
    await expect.poll(() => input.inputValue(), { timeout: 5000 }).toBe("@あお");
    expect(await ben.getByTestId("mention-suggestions").count()).toBe(0);
    await cdp.send("Input.imeSetComposition", { text: "青", selectionStart: 1, selectionEnd: 1 });
    await expect.poll(() => input.inputValue(), { timeout: 5000 }).toBe("@青");
    expect(await ben.getByTestId("mention-suggestions").count()).toBe(0);
    // Committed: now the list offers 青木.
    await cdp.send("Input.insertText", { text: "青" });
    await expect
      .poll(() => ben.getByTestId("mention-option").allTextContents(), { timeout: 5000 })
      .toEqual(["青木 花子"]);
    await screenshot(ben, "notify-mention-ime-ja");
    await input.press("Enter");
    expect(await input.inputValue()).toBe("@青木 花子 ");
    await input.press("Enter");
    await ben.getByTestId("mention").filter({ hasText: "@青木 花子" }).waitFor();
  });

  it("shows who is typing and clears it the moment their message arrives", async () => {
    const aiko = await person(env.browser, "Aiko Types");
    const ben = await person(env.browser, "Ben Watches");
    await composer(aiko).click();
    await composer(aiko).pressSequentially("almost done");
    // Typing notices are gathered for up to a second (TYPING_BATCH_MS) before they go out.
    await expect
      .poll(() => ben.getByTestId("typing").textContent(), { timeout: 5000 })
      .toBe("Aiko Types is typing…");
    // Aiko sees nobody typing: her own typing is never echoed.
    expect(await aiko.getByTestId("typing").textContent()).toBe("");
    await screenshot(ben, "notify-typing");
    await composer(aiko).press("Enter");
    await ben.getByTestId("message-body").filter({ hasText: "almost done" }).waitFor();
    await expect.poll(() => ben.getByTestId("typing").textContent(), { timeout: 5000 }).toBe("");
  });

  it("shows a system notification for a mention while the tab is hidden; clicking it opens the room at the message", async () => {
    const aiko = await person(env.browser, "Aiko Hidden");
    // Headless Chromium draws no system notifications: record them instead, and let the test hide the tab.
    await aiko.evaluate(() => {
      const page = window as unknown as {
        __hidden: boolean;
        __shown: Array<{ title: string; options: NotificationOptions; onclick: (() => void) | null }>;
      };
      page.__hidden = false;
      page.__shown = [];
      Object.defineProperty(document, "visibilityState", {
        get: () => (page.__hidden ? "hidden" : "visible"),
      });
      class RecordedNotification {
        static permission = "granted";
        onclick: (() => void) | null = null;
        constructor(
          readonly title: string,
          readonly options: NotificationOptions,
        ) {
          page.__shown.push(this);
        }
        close() {}
      }
      Object.defineProperty(window, "Notification", { value: RecordedNotification, configurable: true });
    });
    const ben = await person(env.browser, "Ben Pinger");
    await aiko.evaluate(() => {
      (window as unknown as { __hidden: boolean }).__hidden = true;
    });
    await sendAndWait(ben, "plain news first");
    await sendAndWait(ben, "@Aiko Hidden lunch?");
    const shown = () =>
      aiko.evaluate(() =>
        (
          window as unknown as { __shown: Array<{ title: string; options: NotificationOptions }> }
        ).__shown.map((entry) => ({ title: entry.title, body: entry.options.body, tag: entry.options.tag })),
      );
    await expect.poll(shown, { timeout: 5000 }).toHaveLength(1);
    const [notification] = await shown();
    expect(notification).toMatchObject({ title: "Ben Pinger · #general", body: "@Aiko Hidden lunch?" });
    expect(notification?.tag).toMatch(/^[^:]+:\d+$/);
    await aiko.evaluate(() => {
      (
        window as unknown as { __hidden: boolean; __shown: Array<{ onclick: (() => void) | null }> }
      ).__hidden = false;
      (window as unknown as { __shown: Array<{ onclick: (() => void) | null }> }).__shown[0]?.onclick?.();
    });
    const seq = notification?.tag?.split(":")[1];
    await expect
      .poll(() => new URL(aiko.url()).pathname + new URL(aiko.url()).search)
      .toBe(`/r/general?m=${seq}`);
  });

  it("changes the room's notification level from its header, and keeps it", async () => {
    const page = await person(env.browser, "Level Setter");
    const select = page.getByTestId("notify-level");
    await expect.poll(() => select.inputValue(), { timeout: 5000 }).toBe("mentions");
    await select.selectOption("everything");
    // This device's notifications are in the user menu; Chromium here has no push service, so only the switch is checked.
    await page.getByTestId("user-menu").click();
    await page.getByTestId("device-notifications").waitFor();
    expect(await page.getByTestId("device-notifications-state").textContent()).toBe("Off");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, "notify-user-menu-device");
    await page.reload();
    await expect
      .poll(() => page.getByTestId("notify-level").inputValue(), { timeout: 5000 })
      .toBe("everything");
  });

  it("fits a phone in Japanese: header select, typing line and suggestions", async () => {
    const context = await env.browser.newContext({
      viewport: { width: 360, height: 740 },
      locale: "ja-JP",
      hasTouch: true,
      isMobile: true,
    });
    contexts.push(context);
    const phone = await context.newPage();
    await devSignIn(phone, env.server.url, "スマホ");
    await person(env.browser, "Mina Member");
    await composer(phone).click();
    await composer(phone).pressSequentially("@mi");
    await phone.getByTestId("mention-option").first().waitFor();
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(360);
    expect(await phone.getByTestId("notify-level").isVisible()).toBe(true);
    await screenshot(phone, "notify-phone-ja");
  });
});
