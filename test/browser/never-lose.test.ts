import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  chromiumAvailable,
  createRoom,
  devSignIn,
  screenshot,
  sendMessage,
  serverAndBrowser,
} from "../support/browser.js";

const status = (page: Page) => page.getByTestId("connection-status").getAttribute("data-state");
const bodies = (page: Page, text: string) => page.getByTestId("message-body").filter({ hasText: text });
const messageWith = (page: Page, text: string) => page.getByTestId("message").filter({ hasText: text });

describe.runIf(chromiumAvailable())("never losing a message in the browser", () => {
  const env = serverAndBrowser();

  it("keeps messages written offline as pending and sends each once when back online", async () => {
    const adaContext = await env.browser.newContext();
    const bobContext = await env.browser.newContext();
    const ada = await adaContext.newPage();
    const bob = await bobContext.newPage();
    await devSignIn(ada, env.server.url, "Ada Offline");
    await devSignIn(bob, env.server.url, "Bob Online");
    await expect.poll(() => status(ada)).toBe("connected");

    await adaContext.setOffline(true);
    await expect.poll(() => status(ada)).toBe("reconnecting");
    await sendMessage(ada, "written offline one");
    await sendMessage(ada, "written offline two");
    for (const text of ["written offline one", "written offline two"]) {
      expect(await messageWith(ada, text).getAttribute("data-state")).toBe("pending");
    }
    await screenshot(ada, "offline-pending");

    await adaContext.setOffline(false);
    for (const text of ["written offline one", "written offline two"]) {
      await expect
        .poll(() => messageWith(ada, text).getAttribute("data-state"), { timeout: 15_000 })
        .toBe("sent");
      await bodies(bob, text).waitFor();
    }
    // A fence: Bob's next message arrives after anything sent before it, a repeat included.
    const bobComposer = bob.getByTestId("composer");
    await bobComposer.fill("fence after the offline messages");
    await bobComposer.press("Enter");
    for (const page of [ada, bob]) await bodies(page, "fence after the offline messages").waitFor();
    for (const page of [ada, bob]) {
      expect(await bodies(page, "written offline one").count()).toBe(1);
      expect(await bodies(page, "written offline two").count()).toBe(1);
    }
    const order = await bob.getByTestId("message-body").allTextContents();
    expect(order.indexOf("written offline one")).toBeLessThan(order.indexOf("written offline two"));
    await adaContext.close();
    await bobContext.close();
  });

  it("loses nothing when the page is reloaded while a message is pending", async () => {
    const context = await env.browser.newContext();
    const page = await context.newPage();
    // A switch in front of the WebSocket: while blocked, the socket opens but reaches no env.server.
    let blocked = false;
    await page.routeWebSocket(/\/ws$/, (route) => {
      if (!blocked) route.connectToServer();
    });
    await devSignIn(page, env.server.url, "Reloader");
    await expect.poll(() => status(page)).toBe("connected");

    blocked = true;
    await context.setOffline(true);
    await sendMessage(page, "survives a reload");
    expect(await messageWith(page, "survives a reload").getAttribute("data-state")).toBe("pending");
    await context.setOffline(false);
    blocked = false;
    await page.reload();
    await expect
      .poll(() => messageWith(page, "survives a reload").getAttribute("data-state"), { timeout: 15_000 })
      .toBe("sent");
    expect(await bodies(page, "survives a reload").count()).toBe(1);

    const history = await page.evaluate(async () => {
      const rooms = (await (await fetch("/api/rooms")).json()) as {
        rooms: Array<{ id: string; slug: string }>;
      };
      const general = rooms.rooms.find((room) => room.slug === "general");
      const page = (await (await fetch(`/api/rooms/${general?.id}/messages`)).json()) as {
        messages: Array<{ body: string }>;
      };
      return page.messages.map((message) => message.body);
    });
    expect(history.filter((body) => body === "survives a reload")).toHaveLength(1);
    await context.close();
  });

  it("marks a message the server refuses as failed, with the reason and a retry", async () => {
    const context = await env.browser.newContext();
    const page = await context.newPage();
    let refuse = true;
    // Stand in front of the real server and refuse one send, as the server would when it cannot store it.
    await page.routeWebSocket(/\/ws$/, (route) => {
      const server = route.connectToServer();
      route.onMessage((raw) => {
        const frame = JSON.parse(String(raw)) as {
          type: string;
          body?: string;
          clientId?: string;
          roomId?: string;
        };
        if (refuse && frame.type === "send" && frame.body === "please refuse") {
          route.send(
            JSON.stringify({
              type: "error",
              code: "unavailable",
              message: "The server cannot store messages right now.",
              roomId: frame.roomId,
              clientId: frame.clientId,
            }),
          );
          return;
        }
        server.send(raw);
      });
    });
    await devSignIn(page, env.server.url, "Refused");
    await expect.poll(() => status(page)).toBe("connected");
    await sendMessage(page, "please refuse");
    const failed = messageWith(page, "please refuse");
    await expect.poll(() => failed.getAttribute("data-state")).toBe("failed");
    // The reason is the code's own text in the reader's language, not the server's English message.
    expect(await failed.textContent()).toContain(
      "Not sent: The server is unavailable for the moment; try again shortly.",
    );
    await screenshot(page, "failed-message");
    refuse = false;
    await failed.getByTestId("retry").click();
    await expect.poll(() => messageWith(page, "please refuse").getAttribute("data-state")).toBe("sent");
    expect(await bodies(page, "please refuse").count()).toBe(1);
    await context.close();
  });

  it("shows an unread count for another room and clears it when read in another tab", async () => {
    const adaContext = await env.browser.newContext();
    const bobContext = await env.browser.newContext();
    const tabA = await adaContext.newPage();
    const bob = await bobContext.newPage();
    await devSignIn(tabA, env.server.url, "Ada Tabs");
    await devSignIn(bob, env.server.url, "Bob Poster");
    await createRoom(bob, "Side Room", "side-room");

    // Ada joins the side room from the open rooms to browse, then goes back to general.
    await tabA.getByTestId("browse-open").click();
    await tabA.locator("[data-testid=browse-room][data-slug=side-room] [data-testid=browse-join]").click();
    await tabA.waitForURL(/\/r\/side-room$/);
    await expect.poll(() => tabA.getByTestId("member-count").textContent()).toBe("2");
    await tabA.locator("[data-testid=room-link][data-slug=general]").click();
    await tabA.waitForURL(/\/r\/general$/);

    await sendMessage(bob, "unread one");
    await sendMessage(bob, "unread two");
    const badge = tabA.locator("[data-testid=room-link][data-slug=side-room] [data-testid=unread-badge]");
    await expect.poll(() => badge.textContent(), { timeout: 5000 }).toBe("2");
    // A screen reader gets the count as words inside the link, not a bare number.
    expect(
      await tabA
        .locator("[data-testid=room-link][data-slug=side-room] [data-testid=unread-text]")
        .textContent(),
    ).toBe(", 2 unread messages");
    await screenshot(tabA, "unread-badge");

    const tabB = await adaContext.newPage();
    await tabB.goto(`${env.server.url}/r/side-room`);
    await bodies(tabB, "unread two").waitFor();
    const readAt = Date.now();
    await expect.poll(() => badge.count(), { timeout: 3000 }).toBe(0);
    console.info(`[parley] unread badge cleared in the other tab ${Date.now() - readAt} ms after reading`);
    await adaContext.close();
    await bobContext.close();
  });
});
