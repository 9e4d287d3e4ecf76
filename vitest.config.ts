import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // web/**: the browser client core's unit tests, which run in Node with fakes.
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "web/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest.json" },
  },
});
