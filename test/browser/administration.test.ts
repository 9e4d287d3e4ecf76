import type { BrowserContextOptions, Page } from "playwright-core";
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

/** The member panel's entry for `name` (a sheet on phones, a column on desktops). */
async function openProfile(page: Page, name: string): Promise<void> {
  await page.getByTestId("member-profile").filter({ hasText: name }).click();
  await page.getByTestId("profile-name").filter({ hasText: name }).waitFor();
}

describe.runIf(chromiumAvailable())("administration in a real browser", () => {
  const env = serverAndBrowser();

  it("renames a room and sets its topic live for a member on a phone in Japanese; archiving makes it read-only", async () => {
    // The first person to sign in is the administrator.
    const adaContext = await env.browser.newContext({ ...DESKTOP, locale: "en-US" });
    const ada = await adaContext.newPage();
    await devSignIn(ada, env.server.url, "Ada Admin");
    await createRoom(ada, "Plans", "plans");

    const beaContext = await env.browser.newContext({ ...PHONE, locale: "ja-JP" });
    const bea = await beaContext.newPage();
    await devSignIn(bea, env.server.url, "Bea ベア");
    await bea.goto(`${env.server.url}/r/plans`);
    await bea.getByTestId("room-title").filter({ hasText: "Plans" }).waitFor();
    // A member sees no settings button; the administrator does.
    expect(await bea.getByTestId("open-room-settings").count()).toBe(0);

    await ada.getByTestId("open-room-settings").click();
    await ada.getByTestId("room-settings-name").fill("Roadmap");
    await ada.getByTestId("room-settings-topic").fill("What ships in Q3");
    await screenshot(ada, "admin-room-settings-desktop-en");
    expect(await seriousAxeViolations(ada)).toEqual([]);
    await ada.getByTestId("room-settings-save").click();
    await ada.getByTestId("room-settings-saved").waitFor();
    await ada.getByTestId("room-settings-close").click();

    await bea.getByTestId("room-title").filter({ hasText: "Roadmap" }).waitFor();
    await bea.getByTestId("room-topic").filter({ hasText: "What ships in Q3" }).waitFor();
    expect(await bea.evaluate(() => document.documentElement.scrollWidth)).toBe(360);
    await screenshot(bea, "admin-room-renamed-phone-ja");

    await ada.getByTestId("open-room-settings").click();
    await ada.getByTestId("room-settings-archive").click();
    await bea.getByTestId("archived-notice").filter({ hasText: "アーカイブ" }).waitFor();
    expect(await bea.getByTestId("composer").count()).toBe(0);
    await screenshot(bea, "admin-room-archived-phone-ja");

    // Out of the room list; the administrator finds it among the archived rooms and restores it.
    await ada.goto(`${env.server.url}/r/general`);
    expect(await ada.getByTestId("room-link").filter({ hasText: "Roadmap" }).count()).toBe(0);
    await ada.getByTestId("user-menu").click();
    await ada.getByTestId("open-workspace-settings").click();
    await ada.getByTestId("archived-rooms").getByText("#Roadmap").click();
    await ada.getByTestId("room-title").filter({ hasText: "Roadmap" }).waitFor();
    await ada.getByTestId("open-room-settings").click();
    await ada.getByTestId("room-settings-archive").filter({ hasText: "Restore room" }).click();
    await bea.getByTestId("composer").waitFor();
    await ada.getByTestId("room-link").filter({ hasText: "Roadmap" }).waitFor();
    await adaContext.close();
    await beaContext.close();
  });

  it("an administrator deactivates Cal from the profile card and Cal's open tabs go to sign-in", async () => {
    const operator = { kind: "cli", name: "test" } as const;
    const adaContext = await env.browser.newContext({ ...DESKTOP, locale: "en-US" });
    const ada = await adaContext.newPage();
    await devSignIn(ada, env.server.url, "Ada Again");
    // A second administrator, granted as the admin CLI does it (the first one signed out above).
    const me = (await (await ada.request.get(`${env.server.url}/api/me`)).json()) as { user: { id: string } };
    await env.server.parley.administration.grantAdministrator(operator, me.user.id);
    await ada.reload();

    const calContext = await env.browser.newContext({ ...DESKTOP, locale: "en-US" });
    const cal = await calContext.newPage();
    await devSignIn(cal, env.server.url, "Cal Deactivated");
    const calSecondTab = await calContext.newPage();
    await calSecondTab.goto(`${env.server.url}/r/general`);
    await calSecondTab.getByTestId("composer").waitFor();

    await openProfile(ada, "Cal Deactivated");
    await expect.poll(() => ada.getByTestId("profile-status").textContent()).toBe("Online");
    expect(await ada.getByTestId("profile-role").textContent()).toBe("Member");
    expect(await seriousAxeViolations(ada)).toEqual([]);
    await ada.getByTestId("profile-deactivate").click();
    await screenshot(ada, "admin-profile-deactivate-desktop-en");
    await ada.getByTestId("profile-deactivate-confirm").click();
    await ada.getByTestId("profile-deactivated").waitFor();

    await cal.waitForURL(/\/signin/);
    await calSecondTab.waitForURL(/\/signin/);
    await screenshot(cal, "admin-deactivated-tab-signin");
    // Signing in again through a provider comes back with this code; the page says what happened.
    await cal.goto(`${env.server.url}/signin?error=account_deactivated`);
    await cal.getByTestId("signin-error").filter({ hasText: "deactivated by an administrator" }).waitFor();
    await adaContext.close();
    await calContext.close();
  });

  it("an administrator (desktop, Japanese, dark) restricts room creation; a member on a phone is told why, and sees a profile card", async () => {
    const operator = { kind: "cli", name: "test" } as const;
    const adminContext = await env.browser.newContext({ ...DESKTOP, locale: "ja-JP", colorScheme: "dark" });
    const admin = await adminContext.newPage();
    await devSignIn(admin, env.server.url, "管理者 花子");
    const me = (await (await admin.request.get(`${env.server.url}/api/me`)).json()) as {
      user: { id: string };
    };
    await env.server.parley.administration.grantAdministrator(operator, me.user.id);
    await admin.reload();

    await admin.getByTestId("user-menu").click();
    await admin.getByTestId("open-workspace-settings").click();
    await admin.getByTestId("room-creation-administrators").check();
    await admin.getByTestId("workspace-saved").filter({ hasText: "保存しました" }).waitFor();
    expect(await seriousAxeViolations(admin)).toEqual([]);
    await screenshot(admin, "admin-workspace-settings-desktop-ja-dark");
    await admin.getByTestId("workspace-close").click();

    const memberContext = await env.browser.newContext({ ...PHONE, locale: "en-US" });
    const member = await memberContext.newPage();
    await devSignIn(member, env.server.url, "Max Member");
    await member.getByTestId("open-rooms").click();
    await member.getByTestId("new-room-open").click();
    await member.getByTestId("new-room-name").fill("My own room");
    await member.getByTestId("create-room").click();
    await member
      .getByTestId("create-room-error")
      .filter({ hasText: "Only administrators may create rooms" })
      .waitFor();
    await screenshot(member, "admin-room-creation-refused-phone-en");
    await member.getByTestId("create-room-cancel").click();
    await member.getByTestId("close-rooms").click();

    // Someone connected who has not used Parley lately shows as away in the member list.
    const idle = await signIn(env.server.url, "Idle Ivan");
    const idleSocket = await ChatClient.connect(env.server.wsUrl, idle.cookie);
    const general = (await (
      await fetch(`${env.server.url}/api/rooms/by-slug/general`, { headers: { cookie: idle.cookie } })
    ).json()) as { room: { id: string } };
    await idleSocket.join(general.room.id);
    await member.getByTestId("open-members").click();
    await member
      .getByTestId("member-profile")
      .filter({ hasText: "Idle Ivan" })
      .getByTestId("member-away")
      .waitFor();
    expect(
      await member
        .getByTestId("member-profile")
        .filter({ hasText: "Max Member" })
        .getByTestId("member-away")
        .count(),
    ).toBe(0);
    await openProfile(member, "管理者 花子");
    expect(await member.getByTestId("profile-role").textContent()).toBe("Administrator");
    // Members get no admin actions on the card.
    expect(await member.getByTestId("profile-deactivate").count()).toBe(0);
    expect(await member.evaluate(() => document.documentElement.scrollWidth)).toBe(360);
    await screenshot(member, "admin-profile-card-phone-en");
    idleSocket.socket.terminate();
    await adminContext.close();
    await memberContext.close();
  });
});
