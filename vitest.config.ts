import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// Four lanes, each runnable alone (`npm run test:unit` and so on); `npm test` runs them all.
// unit: no server, no database, no browser (domain, client core, protocol, docs) — seconds.
// integration: real servers on random ports over SQLite, and MariaDB, PostgreSQL, Redis when set.
// browser: real Chromium against real servers. production: the compiled server behind nginx.
// bench: the benchmark harness's own parts.
export default defineConfig({
  // Tests read workspace packages (the protocol) from their TypeScript source.
  resolve: { conditions: ["parley-source", ...defaultServerConditions] },
  // Vitest also hands these to Node itself (--conditions): "module" is a bundlers' condition that
  // Node never uses, and packages such as the AWS SDK break under it (extension-less ES imports).
  ssr: {
    resolve: {
      conditions: ["parley-source", ...defaultServerConditions.filter((condition) => condition !== "module")],
    },
  },
  test: {
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest.json" },
    projects: [
      {
        test: {
          name: "unit",
          include: [
            "src/**/*.test.ts",
            "packages/*/src/**/*.test.ts",
            "web/**/*.test.ts",
            "test/docs/**/*.test.ts",
            "test/web/**/*.test.ts",
          ],
          testTimeout: 5_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          pool: "forks",
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          pool: "forks",
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "production",
          include: ["test/production/**/*.test.ts"],
          pool: "forks",
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "bench",
          include: ["bench/test/**/*.test.ts"],
          pool: "forks",
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
