import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openSlackExport } from "../../src/import/slack-export.js";
import { SlackImport } from "../../src/import/slack-import.js";
import { chromiumAvailable, devSignIn, screenshot, serverAndBrowser } from "../support/browser.js";

const FIXTURE = join(import.meta.dirname, "..", "fixtures", "slack-export");

describe.runIf(chromiumAvailable())("Slack history in the browser", () => {
  const env = serverAndBrowser();

  beforeAll(async () => {
    const source = await openSlackExport(FIXTURE);
    try {
      await new SlackImport(env.server.parley.db, "sqlite", source).run();
    } finally {
      await source.close();
    }
  });

  for (const { width, height, scheme, name } of [
    { width: 1280, height: 900, scheme: "light" as const, name: "desktop-light" },
    { width: 360, height: 780, scheme: "dark" as const, name: "phone-dark" },
  ]) {
    it(`shows imported messages with their formatting, quotes and links (${name})`, async () => {
      const context = await env.browser.newContext({ viewport: { width, height }, colorScheme: scheme });
      const page = await context.newPage();
      await devSignIn(page, env.server.url, "Reader");
      const bodies = page.getByTestId("message-body");
      const hello = bodies.filter({ hasText: "Hello" });
      await hello.waitFor();
      expect(await hello.locator("strong").textContent()).toBe("everyone");
      expect(await hello.locator("a").getAttribute("href")).toBe("https://example.com/snake_case/docs");
      expect(await hello.textContent()).toBe("Hello everyone, see the docs & say hi");

      const japanese = bodies.filter({ hasText: "こんにちは" });
      expect(await japanese.textContent()).toBe("こんにちは、@Adaさん！よろしくお願いします");
      expect(await japanese.locator("em").textContent()).toBe("よろしく");

      const reply = bodies.filter({ hasText: "来週です" });
      expect(await reply.locator("blockquote").textContent()).toContain("@Ada: Release plan for v2?");
      expect(await reply.locator("s").textContent()).toBe("たぶん");

      const file = bodies.filter({ hasText: "Plan v2" }).locator("a");
      expect(await file.getAttribute("href")).toBe("https://parley-demo.slack.com/files/U01ADA/F01/plan.pdf");
      expect(await page.getByTestId("message-author").filter({ hasText: "Ghost Writer" }).count()).toBe(1);
      await screenshot(page, `slack-import-${name}`);
      await context.close();
    });
  }
});
