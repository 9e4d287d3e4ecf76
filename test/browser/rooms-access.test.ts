import { randomBytes } from "node:crypto";
import type { BrowserContextOptions, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { seriousAxeViolations } from "../support/axe.js";
import {
  chromiumAvailable,
  devSignIn,
  screenshot,
  sendMessage,
  serverAndBrowser,
} from "../support/browser.js";

interface Screen {
  name: string;
  options: BrowserContextOptions;
  phone: boolean;
  /** Texts the page must show in this language. */
  texts: { direct: string; invite: string; private: string };
}

const SCREENS: Screen[] = [
  {
    name: "desktop-en",
    options: { viewport: { width: 1280, height: 800 }, locale: "en-US", bypassCSP: true },
    phone: false,
    texts: {
      direct: "Direct messages",
      invite: "Invite",
      private: "Private: only people you invite can see it",
    },
  },
  {
    name: "phone-ja-dark",
    options: {
      viewport: { width: 360, height: 740 },
      isMobile: true,
      hasTouch: true,
      locale: "ja-JP",
      colorScheme: "dark",
      bypassCSP: true,
    },
    phone: true,
    texts: { direct: "ダイレクトメッセージ", invite: "招待", private: "非公開: 招待した人だけが見られます" },
  },
];

/** The room list: on a phone it is a drawer, opened from the room header first. */
async function openSidebar(page: Page, screen: Screen) {
  if (screen.phone && !(await page.getByTestId("rooms-drawer").isVisible())) {
    await page.getByTestId("open-rooms").click();
    await page.getByTestId("rooms-drawer").waitFor({ state: "visible" });
  }
  return page.getByTestId("sidebar").last();
}

async function closeSidebar(page: Page, screen: Screen) {
  if (screen.phone && (await page.getByTestId("rooms-drawer").isVisible())) {
    await page.keyboard.press("Escape");
    await page.getByTestId("rooms-drawer").waitFor({ state: "hidden" });
  }
}

describe.runIf(chromiumAvailable())("private rooms and direct messages in the browser", () => {
  const env = serverAndBrowser();

  it.each(SCREENS)(
    "a private room appears live for the invited person only, and a direct message starts from the directory ($name)",
    async (screen) => {
      const tag = randomBytes(3).toString("hex");
      const pages: Page[] = [];
      for (const who of ["Ann", "Ben", "Cho"]) {
        const context = await env.browser.newContext(screen.options);
        context.setDefaultTimeout(8000);
        const page = await context.newPage();
        await devSignIn(page, env.server.url, `${who} ${tag}`);
        await page.getByTestId("composer").waitFor();
        pages.push(page);
      }
      const [ann, ben, cho] = pages as [Page, Page, Page];

      // Ann creates a private room.
      const sidebar = await openSidebar(ann, screen);
      await sidebar.getByTestId("new-room-open").click();
      await ann.getByTestId("new-room-name").fill(`Secret ${tag}`);
      await ann.getByText(screen.texts.private).click();
      expect(await ann.getByTestId("new-room-private").isChecked()).toBe(true);
      await screenshot(ann, `rooms-access-${screen.name}-create-private`);
      await ann.getByTestId("create-room").click();
      await ann
        .getByTestId("room-title")
        .filter({ hasText: `Secret ${tag}` })
        .waitFor();
      await ann.getByTestId("private-mark").first().waitFor();

      // She invites Ben from the people directory, filtering by name.
      await ann.getByTestId("invite-open").click();
      const dialog = ann.getByTestId("invite-dialog");
      await dialog.waitFor({ state: "visible" });
      await ann.getByTestId("people-filter").fill(`ben ${tag}`);
      const benRow = ann.locator(`[data-testid=person][data-name="Ben ${tag}"]`);
      await benRow.waitFor();
      // Ben is in the unfiltered directory too: wait for the filtered answer to replace it.
      await expect.poll(() => ann.getByTestId("person").count()).toBe(1);
      expect(await benRow.getByTestId("person-invite").textContent()).toBe(screen.texts.invite);
      expect(await seriousAxeViolations(ann)).toEqual([]);
      await screenshot(ann, `rooms-access-${screen.name}-invite`);
      await benRow.getByTestId("person-invite").click();
      await ann.getByTestId("people-invited").waitFor();
      await ann.getByTestId("people-close").click();
      await dialog.waitFor({ state: "hidden" });

      // Ben sees it appear without reloading.
      const benSidebar = await openSidebar(ben, screen);
      const secretLink = benSidebar.locator("[data-testid=room-link][data-kind=private]", {
        hasText: `Secret ${tag}`,
      });
      await secretLink.waitFor();
      await screenshot(ben, `rooms-access-${screen.name}-invited-sees-room`);
      await secretLink.click();
      await ben
        .getByTestId("room-title")
        .filter({ hasText: `Secret ${tag}` })
        .waitFor();
      await closeSidebar(ben, screen);

      // Cho never does. Fence: a second private room Ann invites Cho to afterwards reaches Cho;
      // anything about the first would have come before it.
      const annSidebar = await openSidebar(ann, screen);
      await annSidebar.getByTestId("new-room-open").click();
      await ann.getByTestId("new-room-name").fill(`Fence ${tag}`);
      await ann.getByTestId("new-room-private").check();
      await ann.getByTestId("create-room").click();
      await ann
        .getByTestId("room-title")
        .filter({ hasText: `Fence ${tag}` })
        .waitFor();
      await ann.getByTestId("invite-open").click();
      await ann.getByTestId("people-filter").fill(`cho ${tag}`);
      await ann.locator(`[data-testid=person][data-name="Cho ${tag}"] [data-testid=person-invite]`).click();
      await ann.getByTestId("people-invited").waitFor();
      await ann.getByTestId("people-close").click();
      const choSidebar = await openSidebar(cho, screen);
      await choSidebar.locator("[data-testid=room-link]", { hasText: `Fence ${tag}` }).waitFor();
      expect(await cho.getByText(`Secret ${tag}`).count()).toBe(0);
      expect(await cho.content()).not.toContain(`Secret ${tag}`);
      await screenshot(cho, `rooms-access-${screen.name}-outsider`);
      await closeSidebar(cho, screen);

      // Ann starts a direct message with Ben from the directory.
      const annSidebarAgain = await openSidebar(ann, screen);
      expect(await annSidebarAgain.getByText(screen.texts.direct, { exact: true }).count()).toBe(1);
      const direct = ann.getByTestId("direct-dialog");
      const benChoice = direct.locator(
        `[data-testid=person][data-name="Ben ${tag}"] [data-testid=person-select]`,
      );
      if (screen.phone) {
        await annSidebarAgain.getByTestId("new-direct-open").click();
        await direct.waitFor({ state: "visible" });
        await direct.getByTestId("people-filter").fill(`Ben ${tag}`);
        await benChoice.check();
        await screenshot(ann, `rooms-access-${screen.name}-directory`);
        await direct.getByTestId("people-message").click();
      } else {
        // From the keyboard alone: the dialog opens on the name filter; Tab reaches the choice and the button.
        await annSidebarAgain.getByTestId("new-direct-open").focus();
        await ann.keyboard.press("Enter");
        await direct.waitFor({ state: "visible" });
        await expect
          .poll(() => ann.evaluate(() => document.activeElement?.getAttribute("data-testid")))
          .toBe("people-filter");
        await ann.keyboard.type(`Ben ${tag}`);
        await benChoice.waitFor();
        await expect.poll(() => direct.getByTestId("person").count()).toBe(1);
        await ann.keyboard.press("Tab");
        expect(await ann.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe(
          "person-select",
        );
        await ann.keyboard.press("Space");
        expect(await benChoice.isChecked()).toBe(true);
        await screenshot(ann, `rooms-access-${screen.name}-directory`);
        await direct.getByTestId("people-message").focus();
        await ann.keyboard.press("Enter");
      }
      await ann.waitForURL(/\/r\/dm-[0-9a-f]+$/);
      await ann
        .getByTestId("room-title")
        .filter({ hasText: `Ben ${tag}` })
        .waitFor();
      await sendMessage(ann, `hello Ben ${tag}`);
      await ann
        .getByTestId("message-body")
        .filter({ hasText: `hello Ben ${tag}` })
        .waitFor();
      await screenshot(ann, `rooms-access-${screen.name}-direct`);

      // Ben sees the conversation appear, named after Ann, and reads the message.
      const benDirect = (await openSidebar(ben, screen)).locator(
        "[data-testid=direct-list] [data-testid=room-link]",
        {
          hasText: `Ann ${tag}`,
        },
      );
      await benDirect.waitFor();
      await benDirect.click();
      await ben
        .getByTestId("message-body")
        .filter({ hasText: `hello Ben ${tag}` })
        .waitFor();
      await closeSidebar(ben, screen);
      expect(await seriousAxeViolations(ben)).toEqual([]);
      await screenshot(ben, `rooms-access-${screen.name}-direct-received`);
      expect(await cho.getByText(`hello Ben ${tag}`).count()).toBe(0);

      if (!screen.phone) {
        // The creator removes Ben from the member list: the room leaves Ben's list at once.
        await (await openSidebar(ann, screen))
          .locator("[data-testid=room-link]", { hasText: `Secret ${tag}` })
          .click();
        await ann
          .getByTestId("room-title")
          .filter({ hasText: `Secret ${tag}` })
          .waitFor();
        const benMember = ann.getByTestId("roster-member").filter({ hasText: `Ben ${tag}` });
        await benMember.waitFor();
        expect(await ann.getByTestId("roster-member").count()).toBe(2);
        await benMember.getByTestId("roster-remove").click();
        await benMember.waitFor({ state: "detached" });
        await ben
          .locator("[data-testid=room-link]", { hasText: `Secret ${tag}` })
          .waitFor({ state: "detached" });
        await screenshot(ann, `rooms-access-${screen.name}-removed`);
      }
      for (const page of pages) await page.context().close();
    },
  );
});
