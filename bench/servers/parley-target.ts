import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../system/ports.js";
import { createRoom, type ParleySession, signIn, signInMany } from "./parley-api.js";
import { launchServer } from "./server-process.js";
import type { RunningTarget, StartOptions } from "./target.js";

/**
 * Parley as `npm start` runs it, minus the web build: its real entry, a fresh data
 * directory, dev sign-in (NODE_ENV=development, which also leaves better-auth's per-IP
 * rate limit off; in production it would throttle the thousands of sign-ins from one address).
 */
export async function startParley(options: StartOptions): Promise<RunningTarget> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "parley-bench-"));
  const server = await launchServer({
    name: "Parley",
    script: "src/main/server.ts",
    port,
    pinning: options.pinning,
    env: {
      NODE_ENV: "development",
      PORT: String(port),
      HOST: "127.0.0.1",
      PUBLIC_URL: baseUrl,
      DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
      // Load from a few simulated people far beyond what one person may do: limits off the path.
      MESSAGE_RATE_PER_SECOND: "1000000000",
      MESSAGE_BURST: "1000000000",
      ROOMS_PER_DAY: "1000000000",
      // Connect scenarios measure how fast the server takes connections in, not its admission gate.
      CONNECT_ADMISSION_PER_SECOND: "0",
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
      ...options.env,
    },
  });
  let admin: Promise<ParleySession> | undefined;

  return {
    name: "parley",
    server,
    driver: "json-ws",
    connectUrl: `ws://127.0.0.1:${port}/ws`,
    origin: baseUrl,
    users: (prefix, count) =>
      signInMany(
        baseUrl,
        Array.from({ length: count }, (_, i) => `${prefix}-${i}`),
      ),
    async createRooms(prefix, count) {
      admin ??= signIn(baseUrl, `${prefix}-admin`);
      const { cookie } = await admin;
      const ids: string[] = [];
      // One at a time: each creation is broadcast to every connected socket and takes the slug lock.
      for (let i = 0; i < count; i++) ids.push((await createRoom(baseUrl, cookie, `${prefix} ${i}`)).id);
      return ids;
    },
    async stop() {
      await server.stop();
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
