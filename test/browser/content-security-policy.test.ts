import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { chromiumAvailable, devSignIn, serverAndBrowser } from "../support/browser.js";

interface Recorded {
  violations: string[];
  consoleErrors: string[];
}

/** Records every CSP violation the page reports, from before its first script runs. */
async function recordViolations(context: BrowserContext, page: Page): Promise<Recorded> {
  const recorded: Recorded = { violations: [], consoleErrors: [] };
  await context.exposeFunction("__reportCspViolation", (line: string) => {
    recorded.violations.push(line);
  });
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      const report = (window as unknown as { __reportCspViolation(line: string): void }).__reportCspViolation;
      report(
        `${event.violatedDirective} blocked ${event.blockedURI || "(inline/eval)"} at ${event.sourceFile}`,
      );
    });
  });
  page.on("console", (message) => {
    if (message.type() === "error" && /content security policy|refused to/i.test(message.text())) {
      recorded.consoleErrors.push(message.text());
    }
  });
  return recorded;
}

describe.runIf(chromiumAvailable())("the Content-Security-Policy in a real browser", () => {
  const env = serverAndBrowser();

  it("is never violated on the sign-in page or in a room", async () => {
    const context = await env.browser.newContext();
    const page = await context.newPage();
    const recorded = await recordViolations(context, page);

    await page.goto(`${env.server.url}/signin`);
    await page.getByTestId("dev-signin").waitFor();
    await devSignIn(page, env.server.url, "Policy Reader");
    await expect
      .poll(() => page.getByTestId("connection-status").getAttribute("data-state"))
      .toBe("connected");
    // A message round trip: frames parsed by the protocol's schemas, the avatar image loaded.
    const composer = page.getByTestId("composer");
    await composer.click();
    await composer.pressSequentially("under policy");
    await composer.press("Enter");
    await page.getByTestId("message-body").filter({ hasText: "under policy" }).waitFor();
    await page.locator("img").first().waitFor();
    await expect
      .poll(() =>
        page
          .locator("img")
          .first()
          .evaluate((img: HTMLImageElement) => img.complete),
      )
      .toBe(true);

    expect(recorded.violations).toEqual([]);
    expect(recorded.consoleErrors).toEqual([]);
    await context.close();
  });
});
