import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { seriousAxeViolations } from "../support/axe.js";
import {
  chromiumAvailable,
  createRoom,
  devSignIn,
  screenshot,
  serverAndBrowser,
} from "../support/browser.js";

const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 }, bypassCSP: true };
const PHONE_360: BrowserContextOptions = {
  viewport: { width: 360, height: 740 },
  isMobile: true,
  hasTouch: true,
  bypassCSP: true,
};
const TAP_PX = 44;

async function openContext(browser: Browser, options: BrowserContextOptions) {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(8000);
  return context;
}

async function send(page: Page, text: string): Promise<void> {
  const sent = page.locator("[data-testid=message][data-state=sent]");
  await page.getByTestId("history-start").waitFor();
  const before = await sent.count();
  await page.getByTestId("composer").fill(text);
  await page.getByTestId("composer").press("Enter");
  await expect.poll(() => sent.count()).toBe(before + 1);
}

async function searchFor(page: Page, query: string): Promise<void> {
  const input = page.getByTestId("search-input");
  await input.fill(query);
  await input.press("Enter");
}

describe.runIf(chromiumAvailable())("search in the browser", () => {
  const env = serverAndBrowser();

  it("finds Japanese words, marks them, shows markup as text, and opens the room at the message", async () => {
    const context = await openContext(env.browser, DESKTOP);
    const page = await context.newPage();
    await devSignIn(page, env.server.url, "Aiko Search");
    await send(page, "明日の会議は10時からです");
    await send(page, "<script>window.injected = true</script> <b>会議</b> notes");
    await createRoom(page, "Tokyo Office", "tokyo-office");
    await send(page, "東京オフィスの会議室を予約しました");

    // Ctrl+K opens the search from the composer; the field has the focus.
    await page.getByTestId("composer").press("Control+k");
    await page.getByTestId("search-dialog").waitFor({ state: "visible" });
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe(
      "search-input",
    );
    await searchFor(page, "会議");
    const results = page.getByTestId("search-result");
    await expect.poll(() => results.count()).toBe(3);
    await expect.poll(() => page.getByTestId("search-status").textContent()).toBe("3 results");
    // Newest first among equals: the Tokyo message was sent last.
    expect(await results.first().textContent()).toContain("東京オフィスの会議室を予約しました");
    expect(await page.locator(".search-results mark").allTextContents()).toEqual(["会議", "会議", "会議"]);
    // A message's markup is shown as text: no element was made from it.
    const markup = results.filter({ hasText: "<script>" });
    expect(await markup.textContent()).toContain("<script>window.injected = true</script> <b>会議</b> notes");
    expect(await page.locator(".search-results script, .search-results b").count()).toBe(0);
    expect(await page.evaluate(() => (window as { injected?: boolean }).injected)).toBeUndefined();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, "search-desktop-light");

    // Only this room.
    await page.getByTestId("search-in-room").check();
    await expect.poll(() => results.count()).toBe(1);

    // From the keyboard: down from the field to the result, Enter opens its room at the message.
    await page.getByTestId("search-everywhere").check();
    await expect.poll(() => results.count()).toBe(3);
    await page.getByTestId("search-input").press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toContain(
      "明日の会議は10時からです",
    );
    for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowUp");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe(
      "search-input",
    );
    for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/r\/general\?m=1$/);
    await page.getByTestId("search-dialog").waitFor({ state: "hidden" });
    await page.locator(".room-title").filter({ hasText: "general" }).waitFor();

    // "/" outside a text field opens it again, with the last results; a bad query says why.
    await page.getByTestId("message-list").click();
    await page.keyboard.press("/");
    await page.getByTestId("search-dialog").waitFor({ state: "visible" });
    expect(await results.count()).toBe(3);
    await searchFor(page, '"会議');
    await expect
      .poll(() => page.getByTestId("search-error").textContent())
      .toBe('A quote is not closed: end the phrase with ".');
    await searchFor(page, "大阪");
    await expect
      .poll(() => page.getByTestId("search-status").textContent())
      .toBe("No messages match “大阪”.");
    await page.keyboard.press("Escape");
    await page.getByTestId("search-dialog").waitFor({ state: "hidden" });
    await context.close();
  });

  it("works on a 360 px phone, in Japanese and dark", async () => {
    const context = await openContext(env.browser, { ...PHONE_360, locale: "ja-JP", colorScheme: "dark" });
    const page = await context.newPage();
    await devSignIn(page, env.server.url, "Haruto Phone");
    await send(page, "会議のメモを共有します。東京の天気も確認してください");
    const button = page.getByTestId("open-search");
    const target = await button.boundingBox();
    expect(target?.width).toBeGreaterThanOrEqual(TAP_PX);
    expect(target?.height).toBeGreaterThanOrEqual(TAP_PX);
    await button.click();
    const dialog = page.getByTestId("search-dialog");
    await dialog.waitFor({ state: "visible" });
    await searchFor(page, "東京 from:me");
    const results = page.getByTestId("search-result");
    await expect.poll(() => results.count()).toBe(1);
    await expect.poll(() => page.getByTestId("search-status").textContent()).toBe("1 件");
    expect(await page.locator(".search-results mark").allTextContents()).toEqual(["東京"]);
    // Nothing wider than the phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    const box = await dialog.boundingBox();
    expect(box?.width).toBeLessThanOrEqual(360);
    const background = await dialog.evaluate((element) => getComputedStyle(element).backgroundColor);
    const [r = 255, g = 255, b = 255] = (background.match(/\d+/g) ?? []).map(Number);
    expect((r + g + b) / 3).toBeLessThan(80);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, "search-phone-ja-dark");

    await searchFor(page, "on:2026-02-30 会議");
    await expect
      .poll(() => page.getByTestId("search-error").textContent())
      .toBe("日付は 年-月-日 の形で指定してください（例: on:2026-01-31）。");
    await searchFor(page, "会議");
    await expect.poll(() => results.count()).toBeGreaterThan(0);
    await results.first().click();
    await page.waitForURL(/\/r\/general\?m=\d+$/);
    await dialog.waitFor({ state: "hidden" });
    await context.close();
  });
  it("does not search on the Enter that confirms an IME candidate", async () => {
    const context = await openContext(env.browser, DESKTOP);
    const page = await context.newPage();
    await devSignIn(page, env.server.url, "Imelda Search");
    await page.getByTestId("open-search").click();
    const input = page.getByTestId("search-input");
    await input.fill("会議");
    const dispatch = (order: "composing" | "safari" | "keycode229" | "after-end-later") =>
      page.evaluate(async (which) => {
        const field = document.querySelector<HTMLInputElement>("[data-testid=search-input]");
        if (!field) throw new Error("no search field");
        const enter = (init: KeyboardEventInit = {}) =>
          field.dispatchEvent(
            new KeyboardEvent("keydown", {
              key: "Enter",
              code: "Enter",
              bubbles: true,
              cancelable: true,
              ...init,
            }),
          );
        const composition = (type: string) =>
          field.dispatchEvent(new CompositionEvent(type, { bubbles: true, data: "会議" }));
        if (which === "composing") {
          composition("compositionstart");
          enter({ isComposing: true });
          composition("compositionend");
        } else if (which === "safari") {
          composition("compositionstart");
          composition("compositionend");
          enter();
        } else if (which === "keycode229") {
          enter({ keyCode: 229 });
        } else {
          composition("compositionstart");
          composition("compositionend");
          await new Promise((resolve) => setTimeout(resolve, 0));
          enter();
        }
      }, order);
    // React handles the keydown synchronously: a search would already show "Searching…".
    for (const order of ["composing", "safari", "keycode229"] as const) {
      await dispatch(order);
      expect(await page.getByTestId("search-status").textContent(), order).toBe("");
    }
    await dispatch("after-end-later");
    await expect.poll(() => page.getByTestId("search-status").textContent()).not.toBe("");
    await context.close();
  });
});
