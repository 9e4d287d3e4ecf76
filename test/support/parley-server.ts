import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DestinationStream } from "pino";
import { loadConfig } from "../../src/main/config.js";
import { createParley, type Parley } from "../../src/main/parley.js";
import { LIMITS_OUT_OF_THE_WAY } from "./limits.js";
import { freePort } from "./ports.js";

export interface TestServer {
  parley: Parley;
  url: string;
  wsUrl: string;
  /** Stops this server and starts a new one on the same port and database. */
  restart(): Promise<TestServer>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  databaseUrl?: string;
  env?: Record<string, string>;
  port?: number;
  dataDir?: string;
  /** Receives the server's log lines (set LOG_LEVEL in `env` too: tests default to silent). */
  logDestination?: DestinationStream;
}

/** A real Parley, in this process, on a random port and a temporary SQLite file unless told otherwise. */
export async function startServer(options: TestServerOptions = {}): Promise<TestServer> {
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "parley-"));
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    PORT: String(port),
    PUBLIC_URL: url,
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    ...LIMITS_OUT_OF_THE_WAY,
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...options.env,
  });
  const parley = await createParley(
    config,
    options.logDestination ? { logDestination: options.logDestination } : {},
  );
  await parley.listen();
  const server: TestServer = {
    parley,
    url,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    async restart() {
      await parley.close();
      return startServer({ ...options, port, dataDir });
    },
    close: () => parley.close(),
  };
  return server;
}
