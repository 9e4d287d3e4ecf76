import type { Room } from "@parley/protocol";
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
import { ChatClient, signIn } from "../support/chat-client.js";

const PHONE: BrowserContextOptions = {
  viewport: { width: 360, height: 740 },
  isMobile: true,
  hasTouch: true,
  bypassCSP: true,
};
const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 }, bypassCSP: true };

async function openContext(browser: Browser, options: BrowserContextOptions) {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(8000);
  return context;
}

/** The server's copy of the message with this text (the outbox copy has no seq). */
function messageWith(page: Page, text: string): Locator {
  return page.locator("[data-testid=message][data-state=sent]").filter({ hasText: text });
}

async function send(page: Page, text: string): Promise<void> {
  await page.getByTestId("composer").fill(text);
  await page.getByTestId("composer").press("Enter");
  await messageWith(page, text).waitFor();
}

const activeTestId = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute("data-testid"));

let sequence = 0;
const clientId = () => `b${Date.now().toString(36)}${(sequence++).toString(36)}`;

describe.runIf(chromiumAvailable())("edits, deletions, reactions and replies in the browser", () => {
  const env = serverAndBrowser();

  async function newRoom(name: string): Promise<Room> {
    const maker = await signIn(env.server.url, "Room Maker");
    const response = await fetch(`${env.server.url}/api/rooms`, {
      method: "POST",
      headers: { cookie: maker.cookie, origin: env.server.url, "content-type": "application/json" },
      body: JSON.stringify({ name }),
    });
    return ((await response.json()) as { room: Room }).room;
  }

  it("lets two people edit, react, reply and delete, each seeing the other's changes live", async () => {
    const adaContext = await openContext(env.browser, DESKTOP);
    const bobContext = await openContext(env.browser, DESKTOP);
    const ada = await adaContext.newPage();
    const bob = await bobContext.newPage();
    await devSignIn(ada, env.server.url, "Ada");
    await devSignIn(bob, env.server.url, "Bob");
    await createRoom(ada, "Changes", "changes");
    await bob.goto(`${env.server.url}/r/changes`);
    await bob.locator(".room-title").filter({ hasText: "Changes" }).waitFor();

    await send(ada, "teh plan is ready");
    // Edit with the mouse: the toolbar shows on hover.
    await messageWith(ada, "teh plan").hover();
    await messageWith(ada, "teh plan").getByTestId("action-edit").click();
    await ada.getByTestId("edit-input").fill("the plan is ready");
    await ada.getByTestId("edit-input").press("Enter");
    const atBob = messageWith(bob, "the plan is ready");
    await atBob.getByTestId("message-edited").waitFor();
    expect(await atBob.getByTestId("message-edited").textContent()).toBe("(edited)");

    // Bob may react and reply to Ada's message, but not edit or delete it.
    await atBob.hover();
    expect(await atBob.getByTestId("action-edit").count()).toBe(0);
    expect(await atBob.getByTestId("action-delete").count()).toBe(0);
    await atBob.getByTestId("action-react").click();
    await atBob.getByRole("button", { name: "React with 👍" }).click();
    const chipAtAda = ada
      .locator("[data-testid=message][data-seq='1']")
      .locator("[data-testid=reaction][data-emoji='👍']");
    await expect.poll(() => chipAtAda.getAttribute("aria-label")).toBe("👍 1: Bob");
    expect(await chipAtAda.getAttribute("aria-pressed")).toBe("false");
    await chipAtAda.click();
    await expect.poll(() => chipAtAda.getAttribute("aria-label")).toBe("👍 2: Bob, Ada");
    expect(await chipAtAda.getAttribute("aria-pressed")).toBe("true");
    const chipAtBob = atBob.locator("[data-testid=reaction][data-emoji='👍']");
    await expect.poll(() => chipAtBob.textContent()).toBe("👍2");

    await atBob.hover();
    await atBob.getByTestId("action-reply").click();
    expect(await bob.getByTestId("composer-reply").textContent()).toContain("Replying to Ada");
    expect(await activeTestId(bob)).toBe("composer");
    await bob.getByTestId("composer").fill("ship it");
    await bob.getByTestId("composer").press("Enter");
    const replyAtAda = messageWith(ada, "ship it");
    await replyAtAda.getByTestId("reply-quote").waitFor();
    expect(await replyAtAda.getByTestId("reply-quote").textContent()).toBe("Adathe plan is ready");
    expect(await bob.getByTestId("composer-reply").count()).toBe(0);
    await screenshot(ada, "changes-desktop-ada");

    // Deleting asks first, then leaves a tombstone for both, and the reply marks its quote.
    const plan = ada.locator("[data-testid=message][data-seq='1']");
    await plan.hover();
    await plan.getByTestId("action-delete").click();
    await ada.getByTestId("confirm-delete").click();
    const tombstone = bob.locator("[data-testid=message][data-deleted]");
    await tombstone.waitFor();
    expect(await tombstone.getByTestId("message-body").textContent()).toBe("This message was deleted.");
    expect(await tombstone.getByTestId("reactions").count()).toBe(0);
    await expect
      .poll(() => messageWith(bob, "ship it").getByTestId("reply-quote").textContent())
      .toContain("Reply to a deleted message");
    expect(await bob.getByText("the plan is ready").count()).toBe(0);
    expect(await seriousAxeViolations(bob)).toEqual([]);
    await screenshot(bob, "changes-desktop-bob");
    await adaContext.close();
    await bobContext.close();
  });

  it("shows a reader who was offline exactly the final state of what changed meanwhile, once", async () => {
    const room = await newRoom("Away");
    const author = await signIn(env.server.url, "Author");
    const socket = await ChatClient.connect(env.server.wsUrl, author.cookie);
    await socket.join(room.id);
    for (const body of ["draft", "mistake", "lunch?"]) {
      socket.send({ type: "send", roomId: room.id, clientId: clientId(), body });
    }
    await socket.waitFor((f) => f.type === "ack" && f.seq === 3);

    const context = await openContext(env.browser, DESKTOP);
    const page = await context.newPage();
    await devSignIn(page, env.server.url, "Reader");
    await page.goto(`${env.server.url}/r/${room.slug}`);
    await messageWith(page, "lunch?").waitFor();
    await context.setOffline(true);
    await expect
      .poll(() => page.getByTestId("connection-status").getAttribute("data-state"))
      .not.toBe("connected");

    socket.send({ type: "edit", roomId: room.id, seq: 1, body: "final" });
    socket.send({ type: "edit", roomId: room.id, seq: 1, body: "final, really" });
    socket.send({ type: "delete", roomId: room.id, seq: 2 });
    socket.send({ type: "react", roomId: room.id, seq: 3, emoji: "🍜", action: "add" });
    socket.send({ type: "react", roomId: room.id, seq: 3, emoji: "🍣", action: "add" });
    socket.send({ type: "react", roomId: room.id, seq: 3, emoji: "🍜", action: "remove" });
    await socket.waitFor((f) => f.type === "message_changed" && f.changeSeq === 6);
    socket.socket.terminate();

    await context.setOffline(false);
    await expect
      .poll(() => page.getByTestId("connection-status").getAttribute("data-state"))
      .toBe("connected");
    const message = (seq: number) => page.locator(`[data-testid=message][data-seq='${seq}']`);
    await expect.poll(() => message(1).getByTestId("message-body").textContent()).toBe("final, really");
    expect(await message(1).getByTestId("message-edited").count()).toBe(1);
    expect(await message(2).getAttribute("data-deleted")).toBe("true");
    expect(
      await message(3)
        .locator("[data-testid=reaction]")
        .evaluateAll((chips) => chips.map((c) => c.getAttribute("data-emoji"))),
    ).toEqual(["🍣"]);
    // Each message once, in order.
    expect(
      await page
        .locator("[data-testid=message]")
        .evaluateAll((all) => all.map((m) => m.getAttribute("data-seq"))),
    ).toEqual(["1", "2", "3"]);
    await context.close();
  });

  it("follows a reply's link to an old message that is not loaded, highlights it, and jumps back", async () => {
    const author = await signIn(env.server.url, "Archivist");
    const room = await newRoom("Archive");
    const socket = await ChatClient.connect(env.server.wsUrl, author.cookie);
    await socket.join(room.id);
    const bodies = ["the original question", ...Array.from({ length: 119 }, (_, i) => `filler ${i + 2}`)];
    for (const body of bodies) socket.send({ type: "send", roomId: room.id, clientId: clientId(), body });
    // A reply names a stored message: its target is checked when the reply is admitted, which a
    // pipelined send can reach before the target's batch commits (CI under load did).
    await socket.waitFor((f) => f.type === "ack" && f.seq === 120, 15_000);
    socket.send({ type: "send", roomId: room.id, clientId: clientId(), body: "the answer", replyTo: 1 });
    await socket.waitFor((f) => f.type === "ack" && f.seq === 121, 15_000);
    socket.socket.terminate();

    const context = await openContext(env.browser, DESKTOP);
    const page = await context.newPage();
    await devSignIn(page, env.server.url, "Reader");
    await page.goto(`${env.server.url}/r/${room.slug}`);
    const answer = messageWith(page, "the answer");
    await answer.waitFor();
    const original = page.locator("[data-testid=message][data-seq='1']");
    // Only the newest page is loaded: the original is not.
    expect(await page.locator("[data-testid=message]").count()).toBe(50);
    expect(await original.count()).toBe(0);

    await answer.getByTestId("reply-quote").click();
    await page.waitForURL(new RegExp(`/r/${room.slug}\\?m=1$`));
    await original.waitFor();
    expect(await original.getByTestId("message-body").textContent()).toBe("the original question");
    await expect.poll(() => original.getAttribute("class")).toContain("message-highlight");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-seq"))).toBe("1");
    expect(await original.isVisible()).toBe(true);
    await page.getByTestId("focus-bar").waitFor();
    await screenshot(page, "changes-open-at-message");

    await page.getByTestId("jump-to-latest").click();
    await answer.waitFor();
    expect(await page.getByTestId("focus-bar").count()).toBe(0);

    // The address alone opens the room at the message, as search and notifications link to it.
    await page.goto(`${env.server.url}/r/${room.slug}?m=2`);
    const second = page.locator("[data-testid=message][data-seq='2']");
    await second.waitFor();
    expect(await second.getByTestId("message-body").textContent()).toBe("filler 2");
    await context.close();
  });

  it("works on a phone in Japanese: long-press opens the actions, and from the keyboard on a desktop", async () => {
    const context = await openContext(env.browser, { ...PHONE, locale: "ja-JP" });
    const page = await context.newPage();
    await devSignIn(page, env.server.url, "佐藤");
    await page.goto(`${env.server.url}/r/${(await newRoom("電話")).slug}`);
    await send(page, "長押しのテスト");
    const message = messageWith(page, "長押しのテスト");
    const actions = message.getByTestId("message-actions");
    expect(await actions.evaluate((element) => getComputedStyle(element).opacity)).toBe("0");

    // A long-press: a touch that rests on the message.
    await message
      .getByTestId("message-body")
      .dispatchEvent("pointerdown", { pointerType: "touch", isPrimary: true });
    await expect.poll(() => actions.evaluate((element) => getComputedStyle(element).opacity)).toBe("1");
    await message
      .getByTestId("message-body")
      .dispatchEvent("pointerup", { pointerType: "touch", isPrimary: true });
    await screenshot(page, "changes-phone-ja-long-press");
    const party = message.getByRole("button", { name: "🎉 でリアクション" });
    const box = await party.boundingBox();
    expect(box?.height).toBeGreaterThanOrEqual(44);
    await party.tap();
    const chip = message.locator("[data-testid=reaction][data-emoji='🎉']");
    await expect.poll(() => chip.getAttribute("aria-label")).toBe("🎉 1件: 佐藤");
    expect(await message.getByTestId("action-edit").textContent()).toBe("編集");
    await screenshot(page, "changes-phone-ja");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await context.close();

    // Keyboard only: Tab from the list reaches the message's toolbar; the picker is a row of buttons.
    const desk = await openContext(env.browser, { ...DESKTOP, locale: "ja-JP", colorScheme: "dark" });
    const keys = await desk.newPage();
    await devSignIn(keys, env.server.url, "鍵盤");
    await keys.goto(`${env.server.url}/r/${(await newRoom("キーボード")).slug}`);
    await send(keys, "キーボードで操作");
    await keys.getByTestId("message-list").focus();
    await keys.keyboard.press("Tab");
    expect(await activeTestId(keys)).toBe("action-react");
    await keys.keyboard.press("Enter");
    expect(await keys.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe(
      "👍 でリアクション",
    );
    await keys.keyboard.press("ArrowRight");
    await keys.keyboard.press("Enter");
    const heart = messageWith(keys, "キーボードで操作").locator("[data-testid=reaction][data-emoji='❤️']");
    await heart.waitFor();
    // Tab on to Edit: the form takes focus, Enter saves.
    await keys.getByTestId("message-list").focus();
    const order: Array<string | null | undefined> = [];
    for (let i = 0; i < 4; i++) {
      await keys.keyboard.press("Tab");
      order.push(await activeTestId(keys));
    }
    // The reaction under the message, then its toolbar.
    expect(order).toEqual(["reaction", "action-react", "action-reply", "action-edit"]);
    await keys.keyboard.press("Enter");
    expect(await activeTestId(keys)).toBe("edit-input");
    await keys.keyboard.type("（修正）");
    // The Enter that confirms an IME candidate does not save (Chromium's and Safari's orders).
    await keys.evaluate(() => {
      const input = document.querySelector<HTMLTextAreaElement>("[data-testid=edit-input]");
      if (!input) throw new Error("no edit input");
      const enter = (init: KeyboardEventInit) =>
        input.dispatchEvent(
          new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true, ...init }),
        );
      const composition = (type: string) =>
        input.dispatchEvent(new CompositionEvent(type, { bubbles: true, data: "修正" }));
      composition("compositionstart");
      enter({ isComposing: true });
      composition("compositionend");
      composition("compositionstart");
      composition("compositionend");
      enter({});
    });
    expect(await keys.getByTestId("edit-input").count()).toBe(1);
    await keys.keyboard.press("Enter");
    const edited = messageWith(keys, "キーボードで操作（修正）");
    await edited.getByTestId("message-edited").waitFor();
    expect(await edited.getByTestId("message-edited").textContent()).toBe("（編集済み）");
    // Up in the empty composer edits one's last message; Escape leaves it as it was.
    await keys.getByTestId("composer").focus();
    await keys.keyboard.press("ArrowUp");
    expect(await activeTestId(keys)).toBe("edit-input");
    await keys.keyboard.press("Escape");
    expect(await keys.getByTestId("edit-input").count()).toBe(0);
    await screenshot(keys, "changes-keyboard-ja-dark");
    await desk.close();
  });
});
