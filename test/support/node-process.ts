import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LIMITS_OUT_OF_THE_WAY } from "./limits.js";
import { freePort } from "./ports.js";

export interface NodeProcess {
  url: string;
  wsUrl: string;
  child: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

export async function waitForHttp(url: string, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A Parley node in its own process, so it can be killed for real (SIGKILL) mid-test. */
export async function startNodeProcess(env: Record<string, string>, port?: number): Promise<NodeProcess> {
  const chosen = port ?? (await freePort());
  const url = `http://127.0.0.1:${chosen}`;
  const child = spawn(
    process.execPath,
    ["--conditions=parley-source", "--import", "tsx", "src/main/server.ts"],
    {
      env: {
        ...process.env,
        NODE_ENV: "test",
        HOST: "127.0.0.1",
        PORT: String(chosen),
        PUBLIC_URL: url,
        DATA_DIR: mkdtempSync(join(tmpdir(), "parley-node-")),
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "warn",
        ...LIMITS_OUT_OF_THE_WAY,
        ...env,
      },
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  // Never outlive the test run, whatever happens to the test.
  const reap = () => child.kill("SIGKILL");
  process.once("exit", reap);
  void exited.then(() => process.off("exit", reap));
  await Promise.race([
    waitForHttp(`${url}/healthz`),
    exited.then((code) => {
      throw new Error(`node exited with ${code} before answering`);
    }),
  ]);
  return {
    url,
    wsUrl: `ws://127.0.0.1:${chosen}/ws`,
    child,
    exited,
    kill(signal) {
      child.kill(signal);
      return exited;
    },
  };
}
