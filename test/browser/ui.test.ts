import { MAX_MESSAGE_LENGTH } from "@parley/protocol";
import type { Browser, BrowserContextOptions, Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { seriousAxeViolations } from "../support/axe.js";
import {
  chromiumAvailable,
  createRoom,
  devSignIn,
  screenshot,
  serverAndBrowser,
} from "../support/browser.js";

const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  bypassCSP: true,
};
const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 }, bypassCSP: true };
/** Apple's and WCAG 2.5.5's minimum touch target. */
const TAP_PX = 44;

async function box(locator: Locator) {
  const found = await locator.boundingBox();
  if (!found) throw new Error(`no box for ${locator}`);
  return found;
}

/** Sends and waits for the server's copy (rendered markdown need not contain the typed text). */
async function send(page: Page, text: string): Promise<void> {
  const sent = page.locator("[data-testid=message][data-state=sent]");
  // The count before sending must include the history: wait for it to be loaded.
  await page.getByTestId("history-start").waitFor();
  const before = await sent.count();
  await page.getByTestId("composer").fill(text);
  await page.getByTestId("composer").press("Enter");
  await expect.poll(() => sent.count()).toBe(before + 1);
}

async function backgroundOf(page: Page, selector: string): Promise<string> {
  return page
    .locator(selector)
    .first()
    .evaluate((element) => getComputedStyle(element).backgroundColor);
}

/** Rough lightness of an rgb() colour, 0 (black) to 255 (white). */
function lightness(rgb: string): number {
  const [r = 0, g = 0, b = 0] = (rgb.match(/\d+(\.\d+)?/g) ?? []).map(Number);
  return (r + g + b) / 3;
}

/** A short action timeout, so a missing element fails at its line instead of at the test's timeout. */
async function openContext(browser: Browser, options: BrowserContextOptions) {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(8000);
  return context;
}

describe.runIf(chromiumAvailable())("the browser client's screens", () => {
  const env = serverAndBrowser();

  it("on a 390×844 phone: one column, rooms in a drawer, members in a sheet, 44px targets, composer on screen", async () => {
    const context = await openContext(env.browser, PHONE);
    const page = await context.newPage();
    await devSignIn(page, env.server.url, "Phoebe Phone");
    await send(page, "hello from a phone");

    // The message column has the whole width; the sidebar and member list take none of it.
    const list = await box(page.getByTestId("message-list"));
    expect(list.x).toBe(0);
    expect(list.width).toBeGreaterThanOrEqual(389);
    expect(await page.getByTestId("sidebar").isVisible()).toBe(false);
    expect(await page.getByTestId("member-list").isVisible()).toBe(false);
    const composer = await box(page.getByTestId("composer"));
    expect(composer.y + composer.height).toBeLessThanOrEqual(844);
    expect(composer.height).toBeGreaterThanOrEqual(TAP_PX);
    for (const id of ["open-rooms", "open-members", "send"]) {
      const target = await box(page.getByTestId(id));
      expect(target.height, id).toBeGreaterThanOrEqual(TAP_PX);
      expect(target.width, id).toBeGreaterThanOrEqual(TAP_PX);
    }
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, "phone-room-light");

    // The drawer opens over the room, takes focus, and gives it back on Escape.
    await page.getByTestId("open-rooms").click();
    const drawer = page.getByTestId("rooms-drawer");
    await drawer.waitFor({ state: "visible" });
    const drawerBox = await box(drawer);
    expect(drawerBox.x).toBe(0);
    expect(drawerBox.width).toBeLessThanOrEqual(390);
    expect(await page.evaluate(() => document.activeElement?.closest("dialog")?.dataset.testid)).toBe(
      "rooms-drawer",
    );
    for (const target of [
      page.getByTestId("room-link").first(),
      page.getByTestId("new-room-open"),
      page.getByTestId("close-rooms"),
      page.getByTestId("user-menu"),
    ]) {
      expect((await box(target)).height).toBeGreaterThanOrEqual(TAP_PX);
    }
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, "phone-drawer-open");
    await page.keyboard.press("Escape");
    await drawer.waitFor({ state: "hidden" });
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("open-rooms");

    // Choosing a room in the drawer closes it.
    await page.getByTestId("open-rooms").click();
    await createRoom(page, "Phone Room", "phone-room");
    await drawer.waitFor({ state: "hidden" });
    await page.getByTestId("open-rooms").click();
    await page.locator("[data-testid=room-link][data-slug=general]").click();
    await page.waitForURL(/\/r\/general$/);
    await drawer.waitFor({ state: "hidden" });
    await page.getByTestId("message-body").filter({ hasText: "hello from a phone" }).waitFor();

    // Members come up in a sheet from the bottom.
    await page.getByTestId("open-members").click();
    const sheet = page.getByTestId("members-sheet");
    await sheet.waitFor({ state: "visible" });
    await page.getByTestId("member").filter({ hasText: "Phoebe Phone" }).waitFor();
    const sheetBox = await box(sheet);
    expect(Math.round(sheetBox.y + sheetBox.height)).toBe(844);
    await screenshot(page, "phone-members-sheet");
    await page.getByTestId("close-members").click();
    await sheet.waitFor({ state: "hidden" });

    // An on-screen keyboard that resizes the viewport (Chromium, interactive-widget=resizes-content)
    // leaves the composer in view above it.
    await page.getByTestId("composer").focus();
    await page.setViewportSize({ width: 390, height: 450 });
    await expect
      .poll(async () => {
        const shrunk = await box(page.getByTestId("composer"));
        return shrunk.y + shrunk.height <= 450 && shrunk.y > 0;
      })
      .toBe(true);
    await screenshot(page, "phone-keyboard-open");
    await context.close();
  });

  it("fits 360 px without sideways scrolling, and at 900 px keeps the room list as a column", async () => {
    const context = await openContext(env.browser, { ...PHONE, viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    await devSignIn(page, env.server.url, "Nadia Narrow");
    await send(page, "a-very-long-word-without-spaces-".repeat(6));
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(360);
    expect((await box(page.getByTestId("message-list"))).width).toBeGreaterThanOrEqual(359);
    const composer = await box(page.getByTestId("composer"));
    expect(composer.y + composer.height).toBeLessThanOrEqual(740);
    await screenshot(page, "phone-360");

    await page.setViewportSize({ width: 900, height: 800 });
    await page.getByTestId("sidebar").waitFor({ state: "visible" });
    expect(await page.getByTestId("open-rooms").count()).toBe(0);
    const sidebar = await box(page.getByTestId("sidebar"));
    const list = await box(page.getByTestId("message-list"));
    expect(list.x).toBeGreaterThanOrEqual(sidebar.x + sidebar.width);
    expect(list.x + list.width).toBeLessThanOrEqual(900);
    await page.getByTestId("open-members").click();
    await page.getByTestId("members-sheet").waitFor({ state: "visible" });
    await page.keyboard.press("Escape");
    await page.getByTestId("members-sheet").waitFor({ state: "hidden" });
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe(
      "open-members",
    );
    await screenshot(page, "tablet-900");
    await context.close();
  });

  it("at 1280×800 keeps the three columns, and dark mode follows the system", async () => {
    const context = await openContext(env.browser, { ...DESKTOP, colorScheme: "dark" });
    const page = await context.newPage();
    await page.goto(`${env.server.url}/signin`);
    await page.getByTestId("dev-signin").waitFor();
    expect(lightness(await backgroundOf(page, ".signin-card"))).toBeLessThan(80);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, "signin-dark");

    await devSignIn(page, env.server.url, "Dora Dark");
    await send(page, "**bold** and `code` in the dark\n> a quote");
    const sidebar = await box(page.getByTestId("sidebar"));
    const list = await box(page.getByTestId("message-list"));
    const members = await box(page.getByTestId("member-list"));
    expect(sidebar.x).toBe(0);
    expect(list.x).toBeGreaterThanOrEqual(sidebar.x + sidebar.width);
    expect(members.x).toBeGreaterThanOrEqual(list.x + list.width);
    expect(list.width).toBeGreaterThan(700);
    expect(await page.getByTestId("open-rooms").count()).toBe(0);
    expect(await page.getByTestId("open-members").count()).toBe(0);
    expect(lightness(await backgroundOf(page, "body"))).toBeLessThan(80);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, "desktop-room-dark");
    await context.close();
  });

  it("remembers a theme picked in the user menu over the system's, per browser", async () => {
    const context = await openContext(env.browser, { ...DESKTOP, colorScheme: "light" });
    const page = await context.newPage();
    await devSignIn(page, env.server.url, "Theo Theme");
    expect(lightness(await backgroundOf(page, "body"))).toBeGreaterThan(200);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, "desktop-room-light");

    await page.getByTestId("user-menu").click();
    await page.getByTestId("theme-dark").check();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    expect(lightness(await backgroundOf(page, "body"))).toBeLessThan(80);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, "user-menu-dark");

    await page.reload();
    await page.getByTestId("composer").waitFor();
    expect(lightness(await backgroundOf(page, "body"))).toBeLessThan(80);

    await page.getByTestId("user-menu").click();
    await page.getByTestId("theme-system").check();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBeUndefined();
    expect(lightness(await backgroundOf(page, "body"))).toBeGreaterThan(200);
    await context.close();
  });

  it("speaks Japanese to a ja-JP browser, from the server's <html lang> to the dates, with a switch", async () => {
    const response = await fetch(`${env.server.url}/signin`, {
      headers: { "accept-language": "ja-JP,ja;q=0.9,en;q=0.8" },
    });
    expect(await response.text()).toContain('<html lang="ja"');
    expect(response.headers.get("vary")).toMatch(/accept-language/i);

    const context = await openContext(env.browser, { ...DESKTOP, locale: "ja-JP" });
    const page = await context.newPage();
    await page.goto(`${env.server.url}/signin`);
    await page.getByTestId("dev-signin").waitFor();
    expect(await page.getAttribute("html", "lang")).toBe("ja");
    expect(await page.getByTestId("dev-signin").textContent()).toBe("サインイン");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, "signin-ja");

    await devSignIn(page, env.server.url, "山田 花子");
    expect(await page.getByTestId("composer").getAttribute("placeholder")).toBe("#general へのメッセージ");
    await send(page, "こんにちは、**世界**");
    expect(await page.getByTestId("day-separator").last().textContent()).toBe("今日");
    expect(await page.getByTestId("connection-status").textContent()).toMatch(/接続/);
    await screenshot(page, "room-ja");

    await page.getByTestId("user-menu").click();
    await page.getByTestId("language-select").selectOption("en");
    await expect.poll(() => page.getAttribute("html", "lang")).toBe("en");
    expect(await page.getByTestId("composer").getAttribute("placeholder")).toBe("Message #general");
    await page.reload();
    await page.getByTestId("composer").waitFor();
    expect(await page.getAttribute("html", "lang")).toBe("en");
    expect(await page.getByTestId("day-separator").last().textContent()).toBe("Today");
    await context.close();
  });

  it("words refusals in the reader's language: a taken room name, an over-long message, a refused send", async () => {
    const context = await openContext(env.browser, { ...DESKTOP, locale: "ja-JP" });
    const page = await context.newPage();
    await devSignIn(page, env.server.url, "鈴木 一郎");
    await page.getByTestId("history-start").waitFor();

    // 409 room_name_taken from the server, in Japanese.
    await page.getByTestId("new-room-open").click();
    await page.getByTestId("new-room-name").fill("General");
    await page.getByTestId("create-room").click();
    expect(await page.getByTestId("create-room-error").textContent()).toBe(
      "この名前のルームは既にあります。別の名前にするか、そのルームに参加してください。",
    );
    await page.getByTestId("create-room-cancel").click();

    // Over the length limit: refused before sending, the numbers in the reader's format.
    await page.getByTestId("composer").fill("あ".repeat(MAX_MESSAGE_LENGTH + 1));
    await page.getByTestId("composer").press("Enter");
    expect(await page.getByTestId("composer-error").textContent()).toBe(
      "メッセージは 4,000 文字までです (このメッセージは 4,001 文字あります)。",
    );

    // A control character passes the composer and is refused by the server's message_invalid frame.
    await page.getByTestId("composer").fill("bad\u0001body");
    await page.getByTestId("composer").press("Enter");
    const failed = page.locator("[data-testid=message][data-state=failed]");
    await failed.waitFor();
    expect(await failed.locator(".message-failure-reason").textContent()).toBe(
      "送信できませんでした: 保存できない文字 (制御文字) が含まれています。",
    );
    expect(await page.getByTestId("composer-error").textContent()).toBe(
      "保存できない文字 (制御文字) が含まれています。",
    );
    await screenshot(page, "refusals-ja");

    // Kept as codes: switching the language rewords what is already on screen.
    await page.getByTestId("user-menu").click();
    await page.getByTestId("language-select").selectOption("en");
    await expect
      .poll(() => failed.locator(".message-failure-reason").textContent())
      .toBe("Not sent: It contains characters that cannot be stored (control characters).");
    await page.getByTestId("user-menu").click();
    await page.getByTestId("new-room-open").click();
    await page.getByTestId("new-room-name").fill("general");
    await page.getByTestId("create-room").click();
    expect(await page.getByTestId("create-room-error").textContent()).toBe(
      "A room with this name already exists; pick another name or join that one.",
    );
    await context.close();
  });

  it("words a sign-in refusal in the reader's language, with the server's wait", async () => {
    const context = await openContext(env.browser, { ...DESKTOP, locale: "ja-JP" });
    const page = await context.newPage();
    // The real server allows many sign-ins per address; stand in for it once it has had enough.
    await page.route("**/api/auth/sign-in/anonymous", (route) =>
      route.fulfill({
        status: 429,
        headers: { "retry-after": "30" },
        contentType: "application/json",
        body: JSON.stringify({
          error: "rate_limited",
          message: "Too many sign-in requests.",
          retryAfter: 30_000,
        }),
      }),
    );
    await page.goto(`${env.server.url}/signin`);
    await page.getByTestId("dev-name").fill("佐藤");
    await page.getByTestId("dev-signin").click();
    expect(await page.getByTestId("signin-error").textContent()).toBe(
      "操作が速すぎます。30 秒後にもう一度お試しください。",
    );
    await page.getByTestId("language-select").selectOption("en");
    await expect
      .poll(() => page.getByTestId("signin-error").textContent())
      .toBe("Too many requests; try again in 30 seconds.");
    await context.close();
  });

  it("does not send on the Enter that confirms an IME candidate, in Safari's event order too", async () => {
    const context = await openContext(env.browser, DESKTOP);
    const page = await context.newPage();
    await devSignIn(page, env.server.url, "Imelda");
    const composer = page.getByTestId("composer");
    await composer.fill("日本語");

    const dispatch = (events: "safari" | "composing" | "keycode229" | "after-end-later") =>
      page.evaluate(async (order) => {
        const input = document.querySelector<HTMLTextAreaElement>("[data-testid=composer]");
        if (!input) throw new Error("no composer");
        const enter = (init: KeyboardEventInit = {}) =>
          input.dispatchEvent(
            new KeyboardEvent("keydown", {
              key: "Enter",
              code: "Enter",
              bubbles: true,
              cancelable: true,
              ...init,
            }),
          );
        const composition = (type: string) =>
          input.dispatchEvent(new CompositionEvent(type, { bubbles: true, data: "日本語" }));
        if (order === "safari") {
          // Safari: compositionend first, then keydown Enter with isComposing already false.
          composition("compositionstart");
          composition("compositionend");
          enter();
        } else if (order === "composing") {
          composition("compositionstart");
          enter({ isComposing: true });
          composition("compositionend");
        } else if (order === "keycode229") {
          enter({ keyCode: 229 });
        } else {
          // The composition ended earlier (a click, a later task): this Enter is the reader's.
          composition("compositionstart");
          composition("compositionend");
          await new Promise((resolve) => setTimeout(resolve, 0));
          enter();
        }
      }, events);

    // React handles a discrete event synchronously: had any of these sent, the box would be empty now.
    for (const order of ["safari", "composing", "keycode229"] as const) {
      await dispatch(order);
      expect(await composer.inputValue(), order).toBe("日本語");
    }
    await dispatch("after-end-later");
    await page.getByTestId("message-body").filter({ hasText: "日本語" }).waitFor();
    expect(await composer.inputValue()).toBe("");
    // A plain Enter still sends, and nothing from before slipped out as a second copy.
    await send(page, "plain enter");
    expect(await page.getByTestId("message-body").filter({ hasText: "日本語" }).count()).toBe(1);
    await context.close();
  });

  it("renders the markdown subset and safe links only, and runs no payload", async () => {
    const context = await openContext(env.browser, DESKTOP);
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await devSignIn(page, env.server.url, "Mark Down");
    await createRoom(page, "Markdown Lab", "markdown-lab");
    const payloads = [
      "**bold** *italic* ~~strike~~ `code`",
      "```\n<script>window.__pwned=1</script>\n```",
      "> quoted\n\n- one\n- two",
      "[click](javascript:window.__pwned=2)",
      "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
      "[[inner](https://inner.example)](javascript:window.__pwned=3)",
      '<https://quote.example/"onmouseover="window.__pwned=4>',
      "mail <mailto:ada@example.com> or see https://plain.example/path",
      '<a href="javascript:window.__pwned=5">raw html link</a>',
    ];
    for (const payload of payloads) await send(page, payload);
    await page.getByTestId("message-body").filter({ hasText: "raw html link" }).waitFor();

    const body = page.getByTestId("message-list");
    expect(await body.locator("strong", { hasText: "bold" }).count()).toBe(1);
    expect(await body.locator("em", { hasText: "italic" }).count()).toBe(1);
    expect(await body.locator("s", { hasText: "strike" }).count()).toBe(1);
    expect(await body.locator("pre code").textContent()).toBe("<script>window.__pwned=1</script>");
    expect(await body.locator("blockquote").textContent()).toBe("quoted");
    expect(await body.locator("ul li").allTextContents()).toEqual(["one", "two"]);
    expect(await body.locator("script").count()).toBe(0);

    const links = await body.locator("a").evaluateAll((anchors) =>
      anchors.map((anchor) => ({
        href: anchor.getAttribute("href") ?? "",
        rel: anchor.getAttribute("rel"),
        target: anchor.getAttribute("target"),
        attributes: anchor.getAttributeNames().sort(),
      })),
    );
    expect(links.map((link) => link.href)).toEqual([
      "https://inner.example",
      "https://quote.example/%22onmouseover=%22window.__pwned=4",
      "mailto:ada@example.com",
      "https://plain.example/path",
    ]);
    for (const link of links) {
      expect(link.rel).toBe("noopener noreferrer nofollow");
      expect(link.target).toBe("_blank");
      expect(link.attributes).toEqual(["href", "rel", "target"]);
    }
    expect(await page.getByTestId("message-body").filter({ hasText: "raw html link" }).textContent()).toBe(
      payloads[8],
    );
    for (const link of await body.locator("a").all()) await link.hover();
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    await screenshot(page, "markdown-and-links");
    await context.close();
  });

  it("groups one author's consecutive messages under one header, below a day separator", async () => {
    const context = await openContext(env.browser, DESKTOP);
    const page = await context.newPage();
    await devSignIn(page, env.server.url, "Greta Group");
    await createRoom(page, "Grouping", "grouping");
    for (const text of ["one", "two", "three"]) await send(page, text);
    const messages = page.getByTestId("message");
    await expect
      .poll(() => messages.evaluateAll((all) => all.map((m) => m.getAttribute("data-state"))))
      .toEqual(["sent", "sent", "sent"]);
    expect(await messages.evaluateAll((all) => all.map((m) => m.hasAttribute("data-continued")))).toEqual([
      false,
      true,
      true,
    ]);
    expect(await page.getByTestId("message-author").allTextContents()).toEqual(["Greta Group"]);
    expect(await page.getByTestId("day-separator").count()).toBe(1);
    await context.close();
  });

  it("creates a room from a dialog that holds focus and gives it back; long names end in an ellipsis", async () => {
    const context = await openContext(env.browser, DESKTOP);
    const page = await context.newPage();
    await devSignIn(page, env.server.url, "A person whose display name is far too long to fit anywhere");

    await page.getByTestId("new-room-open").click();
    const dialog = page.getByTestId("create-room-dialog");
    await dialog.waitFor({ state: "visible" });
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe(
      "new-room-name",
    );
    // Tab cycles inside the modal dialog: the page behind is inert.
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press("Tab");
      expect(await page.evaluate(() => Boolean(document.activeElement?.closest("dialog[open]")))).toBe(true);
    }
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, "create-room-dialog");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe(
      "new-room-open",
    );

    // A refusal is shown in the dialog, which stays open.
    await page.getByTestId("new-room-open").click();
    await page.getByTestId("create-room").click();
    await page.getByTestId("create-room-error").waitFor();
    await page.getByTestId("create-room-cancel").click();
    await dialog.waitFor({ state: "hidden" });

    const longName = "An extraordinarily long room name that no sidebar could ever show in full";
    await createRoom(page, longName);
    const sidebar = await box(page.getByTestId("sidebar"));
    for (const selector of [
      "[data-testid=room-link].active .room-name",
      ".me-name",
      "[data-testid=member] .member-name",
    ]) {
      const element = page.locator(selector).first();
      const truncated = await element.evaluate(
        (node) => node.scrollWidth > node.clientWidth && getComputedStyle(node).textOverflow === "ellipsis",
      );
      expect(truncated, selector).toBe(true);
    }
    // The header has room for more; it would end in an ellipsis too on a narrower screen.
    expect(await page.locator(".room-title").evaluate((node) => getComputedStyle(node).textOverflow)).toBe(
      "ellipsis",
    );
    const link = await box(page.locator("[data-testid=room-link].active"));
    expect(link.x + link.width).toBeLessThanOrEqual(sidebar.x + sidebar.width);
    await screenshot(page, "long-names");
    await context.close();
  });

  it("signs out from the user menu", async () => {
    const context = await openContext(env.browser, DESKTOP);
    const page = await context.newPage();
    await devSignIn(page, env.server.url, "Sig Nout");
    await page.getByTestId("user-menu").click();
    expect(await page.getByTestId("user-menu").getAttribute("aria-expanded")).toBe("true");
    await page.getByTestId("sign-out").click();
    await page.waitForURL(/\/signin/);
    await context.close();
  });

  it("serves an installable manifest with its icons", async () => {
    const manifestResponse = await fetch(`${env.server.url}/assets/manifest.webmanifest`);
    expect(manifestResponse.status).toBe(200);
    const manifest = (await manifestResponse.json()) as {
      start_url: string;
      icons: { src: string; type: string }[];
    };
    expect(manifest.start_url).toBe("/");
    expect(manifest.icons.length).toBeGreaterThan(0);
    for (const icon of manifest.icons) {
      const response = await fetch(new URL(icon.src, env.server.url));
      expect(response.status, icon.src).toBe(200);
      expect(response.headers.get("content-type"), icon.src).toContain(icon.type);
    }
    const html = await (await fetch(`${env.server.url}/signin`)).text();
    expect(html).toContain('rel="manifest" href="/assets/manifest.webmanifest"');
  });
});
