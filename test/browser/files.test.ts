import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousAxeViolations } from "../support/axe.js";
import { chromiumAvailable, devSignIn, launchChromium, screenshot } from "../support/browser.js";
import { startServer, type TestServer } from "../support/parley-server.js";
import { PDF, smallPng } from "../support/test-files.js";

const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 }, bypassCSP: true };
const PHONE: BrowserContextOptions = {
  viewport: { width: 360, height: 740 },
  isMobile: true,
  hasTouch: true,
  bypassCSP: true,
};

async function open(browser: Browser, options: BrowserContextOptions, server: TestServer, name: string) {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  await devSignIn(page, server.url, name);
  await page.getByTestId("history-start").waitFor();
  return { context, page };
}

/** Puts files on the page's clipboard-or-drag DataTransfer, built in the page as a browser would. */
function dataTransferWith(page: Page, files: Array<{ name: string; type: string; base64: string }>) {
  return page.evaluateHandle((list) => {
    const transfer = new DataTransfer();
    for (const file of list) {
      const bytes = Uint8Array.from(atob(file.base64), (char) => char.charCodeAt(0));
      transfer.items.add(new File([bytes], file.name, { type: file.type }));
    }
    return transfer;
  }, files);
}

describe.runIf(chromiumAvailable())("files in the browser", () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer({
      env: {
        UPLOAD_ALLOWED_TYPES: "image/*,application/pdf",
        UPLOAD_MAX_FILE_BYTES: String(3 * 1024 * 1024),
      },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("attaches by button, by drop and by paste; the other person sees the image inline and the PDF as a card", async () => {
    const ada = await open(browser, DESKTOP, server, "Ada");
    const bob = await open(browser, DESKTOP, server, "Bob");
    const page = ada.page;

    // The button: a PDF through the file picker.
    await page.getByTestId("file-input").setInputFiles({
      name: "議事録.pdf",
      mimeType: "application/pdf",
      buffer: Buffer.concat([PDF, Buffer.alloc(30_000, 32)]),
    });
    await expect.poll(() => page.locator("[data-testid=draft-file][data-state=done]").count()).toBe(1);

    // Drag and drop onto the room: the drop hint shows while dragging.
    const png = (await smallPng(320, 200)).toString("base64");
    const dropped = await dataTransferWith(page, [{ name: "chart.png", type: "image/png", base64: png }]);
    await page.dispatchEvent("main.room", "dragenter", { dataTransfer: dropped });
    await page.getByTestId("drop-overlay").waitFor();
    await page.dispatchEvent("main.room", "drop", { dataTransfer: dropped });
    await page.getByTestId("drop-overlay").waitFor({ state: "detached" });
    await expect.poll(() => page.locator("[data-testid=draft-file][data-state=done]").count()).toBe(2);

    // Paste: a screenshot from the clipboard.
    const shot = (await smallPng(200, 120)).toString("base64");
    const clipboard = await dataTransferWith(page, [{ name: "image.png", type: "image/png", base64: shot }]);
    await page.getByTestId("composer").evaluate((composer, clipboardData) => {
      composer.dispatchEvent(new ClipboardEvent("paste", { clipboardData, bubbles: true, cancelable: true }));
    }, clipboard);
    await expect.poll(() => page.locator("[data-testid=draft-file][data-state=done]").count()).toBe(3);

    await page.getByTestId("composer").fill("the notes and the chart");
    await page.getByTestId("composer").press("Enter");
    await page.getByTestId("draft-files").waitFor({ state: "detached" });

    const message = bob.page.locator("[data-testid=message]").filter({ hasText: "the notes and the chart" });
    await message.waitFor();
    const images = message.getByTestId("attachment-image");
    await expect.poll(() => images.count()).toBe(2);
    // The thumbnail really loaded (it is an image the browser could decode).
    await expect
      .poll(() =>
        images
          .first()
          .locator("img")
          .evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth),
      )
      .toBeGreaterThan(0);
    const card = message.getByTestId("attachment-card");
    expect(await card.getByTestId("attachment-name").textContent()).toBe("議事録.pdf");
    expect(await card.getByTestId("attachment-meta").textContent()).toBe("29.3 kB · application/pdf");
    expect(await card.getAttribute("download")).toBe("議事録.pdf");

    // Full size on click; Escape closes it and focus goes back to the thumbnail.
    await images.first().click();
    const viewer = bob.page.getByTestId("image-viewer");
    await viewer.locator("img").waitFor();
    await expect
      .poll(() => viewer.locator("img").evaluate((img: HTMLImageElement) => img.naturalWidth))
      .toBe(320);
    await screenshot(bob.page, "files-viewer-desktop");
    await bob.page.keyboard.press("Escape");
    await viewer.locator("img").waitFor({ state: "detached" });
    expect(await bob.page.evaluate(() => document.activeElement?.className)).toContain("attachment-image");
    expect(await seriousAxeViolations(bob.page)).toEqual([]);
    await screenshot(bob.page, "files-message-desktop");
    await ada.context.close();
    await bob.context.close();
  });

  it("opens the file picker from the keyboard", async () => {
    const { context, page } = await open(browser, DESKTOP, server, "Keyboard Kim");
    await page.getByTestId("composer").focus();
    // The attach button comes just before the message field.
    await page.keyboard.press("Shift+Tab");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("attach");
    // Enter on the button asks the hidden file input for the browser's picker. Headless Chromium
    // under a busy machine did not always raise Playwright's "filechooser" for it, so the request
    // itself is what is checked, and the file is then given to that same input.
    await page.evaluate(() => {
      const input = document.querySelector<HTMLInputElement>("[data-testid=file-input]");
      input?.addEventListener("click", () => input.setAttribute("data-picker-asked", "yes"), { once: true });
    });
    await page.keyboard.press("Enter");
    const input = page.getByTestId("file-input");
    await expect.poll(() => input.getAttribute("data-picker-asked")).toBe("yes");
    expect(await input.evaluate((element) => (element as HTMLInputElement).multiple)).toBe(true);
    await input.setInputFiles({ name: "keyboard.png", mimeType: "image/png", buffer: await smallPng() });
    await expect.poll(() => page.locator("[data-testid=draft-file][data-state=done]").count()).toBe(1);
    // Remove it again from the keyboard.
    await page.getByRole("button", { name: "Remove keyboard.png" }).focus();
    await page.keyboard.press("Enter");
    await page.getByTestId("draft-files").waitFor({ state: "detached" });
    // Focus is not lost with the button: it goes back to the message field.
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("composer");
    await context.close();
  });

  it("shows upload progress while a file goes up slowly", async () => {
    const ada = await open(browser, DESKTOP, server, "Slow Ada");
    const cdp = await ada.context.newCDPSession(ada.page);
    await cdp.send("Network.enable");
    // About 256 KB/s up: a 1.5 MB file takes several seconds.
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 256 * 1024,
    });
    const big = Buffer.concat([await smallPng(), Buffer.alloc(1_500_000)]);
    await ada.page
      .getByTestId("file-input")
      .setInputFiles({ name: "big.png", mimeType: "image/png", buffer: big });
    const progress = ada.page.getByTestId("upload-progress");
    await expect
      .poll(() => progress.evaluate((bar: HTMLProgressElement) => bar.value), { timeout: 15_000 })
      .toBeGreaterThan(0.1);
    const midway = await progress.evaluate((bar: HTMLProgressElement) => bar.value);
    expect(midway).toBeLessThan(1);
    await screenshot(ada.page, "files-progress");
    // Sending now is refused on the spot: the file is still on its way.
    await ada.page.getByTestId("composer").fill("wait for it");
    await ada.page.getByTestId("composer").press("Enter");
    await ada.page.getByTestId("composer-error").waitFor();
    expect(await ada.page.getByTestId("composer-error").textContent()).toContain("finished uploading");
    await ada.context.close();
  });

  it("says why a file is refused, in Japanese too, on a phone in the dark", async () => {
    const { context, page } = await open(
      browser,
      { ...PHONE, locale: "ja-JP", colorScheme: "dark" },
      server,
      "花子",
    );
    await page.getByTestId("file-input").setInputFiles({
      name: "notes.txt",
      mimeType: "text/plain",
      buffer: Buffer.from("plain text is not allowed on this server"),
    });
    const failed = page.locator("[data-testid=draft-file][data-state=failed]");
    await failed.waitFor();
    expect(await failed.getByRole("alert").textContent()).toContain("受け付けていません");
    await page.getByRole("button", { name: "notes.txt を取り除く" }).click();
    await failed.waitFor({ state: "detached" });

    await page.getByTestId("file-input").setInputFiles({
      name: "写真.png",
      mimeType: "image/png",
      buffer: await smallPng(600, 400),
    });
    await expect.poll(() => page.locator("[data-testid=draft-file][data-state=done]").count()).toBe(1);
    // A message of a file alone, no text.
    await page.getByTestId("send").click();
    const image = page.getByRole("button", { name: "写真.png を元のサイズで表示" });
    await image.waitFor();
    // Its size is known before the thumbnail loads, so the list stays at the newest message.
    await expect
      .poll(() => image.locator("img").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBeGreaterThan(0);
    const box = await image.boundingBox();
    expect(box && box.x + box.width).toBeLessThanOrEqual(360);
    const distanceFromBottom = () =>
      page
        .getByTestId("message-list")
        .evaluate((list) => Math.round(list.scrollHeight - list.clientHeight - list.scrollTop));
    await expect.poll(distanceFromBottom).toBeLessThanOrEqual(1);
    const attach = await page.getByTestId("attach").boundingBox();
    expect(attach?.height).toBeGreaterThanOrEqual(44);
    await screenshot(page, "files-phone-dark-ja");
    await context.close();
  });
});

describe.runIf(chromiumAvailable())("the upload quota in the browser", () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer({ env: { UPLOAD_QUOTA_BYTES: "1000" } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("says a file does not fit, and when unsent uploads expiring make room", async () => {
    const { context, page } = await open(browser, DESKTOP, server, "Quinn");
    await page
      .getByTestId("file-input")
      .setInputFiles({ name: "first.pdf", mimeType: "application/pdf", buffer: PDF });
    await expect.poll(() => page.locator("[data-testid=draft-file][data-state=done]").count()).toBe(1);
    // Kept unsent, the first takes part of the quota until UPLOAD_PENDING_TTL_MS (24 h) ends.
    await page.getByTestId("file-input").setInputFiles({
      name: "second.pdf",
      mimeType: "application/pdf",
      buffer: Buffer.concat([PDF, Buffer.alloc(1000 - PDF.length, 32)]),
    });
    const failed = page.locator("[data-testid=draft-file][data-state=failed]");
    await failed.waitFor();
    expect(await failed.getByRole("alert").textContent()).toMatch(/try again in 24 hours/);
    await context.close();
  });
});
