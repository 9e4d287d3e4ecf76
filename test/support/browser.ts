import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { startServer, type TestServer } from "./parley-server.js";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const ARTIFACTS_DIR = join(process.cwd(), "test-results");

/** Debian's Chromium is required in CI; a developer without it gets a visible skip. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.CI) throw new Error(`CI needs Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`);
  console.warn(`[parley] skipping browser tests: no Chromium at ${CHROMIUM_PATH}`);
  return false;
}

/** `extraArgs`: e.g. --ignore-certificate-errors for a test's own TLS certificate. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...extraArgs,
    ],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
}

/** Signs in through the real sign-in page with dev sign-in. */
export async function devSignIn(page: Page, baseUrl: string, name: string): Promise<void> {
  await page.goto(`${baseUrl}/signin`);
  await page.getByTestId("dev-name").fill(name);
  await page.getByTestId("dev-signin").click();
  await page.waitForURL(/\/r\/general$/);
}

/** Creates a room through the "+" dialog of the room list and waits to be in it (at `slug` if given). */
export async function createRoom(page: Page, name: string, slug?: string): Promise<void> {
  await page.getByTestId("new-room-open").click();
  await page.getByTestId("new-room-name").fill(name);
  await page.getByTestId("create-room").click();
  if (slug) await page.waitForURL(new RegExp(`/r/${slug}$`));
  await page.locator(".room-title").filter({ hasText: name }).waitFor();
}

/**
 * A Parley server and a Chromium for one test file: started before its tests, stopped after. Read
 * them as `env.server` and `env.browser` inside tests (they do not exist before `beforeAll`).
 */
export function serverAndBrowser(): { readonly server: TestServer; readonly browser: Browser } {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    server = await startServer();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    get server() {
      if (!server) throw new Error("the server starts in beforeAll");
      return server;
    },
    get browser() {
      if (!browser) throw new Error("the browser starts in beforeAll");
      return browser;
    },
  };
}

/** Types `text` into the composer and sends it with Enter. */
export async function sendMessage(page: Page, text: string): Promise<void> {
  const composer = page.getByTestId("composer");
  await composer.fill(text);
  await composer.press("Enter");
}
