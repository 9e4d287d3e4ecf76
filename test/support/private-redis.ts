import { type ChildProcess, spawn } from "node:child_process";
import { Redis } from "ioredis";
import { freePort } from "./ports.js";

/** A redis-server of this test's own on a random port, so an outage never touches the shared one. */
export class PrivateRedis {
  private child: ChildProcess | undefined;
  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.resume();
    return redis;
  }

  /** (Re)starts the server on the same port, empty. */
  async resume(): Promise<void> {
    this.child = spawn(
      "redis-server",
      ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: "ignore" },
    );
    const deadline = Date.now() + 10_000;
    for (;;) {
      const probe = new Redis(this.url, {
        lazyConnect: true,
        retryStrategy: () => null,
        maxRetriesPerRequest: 0,
      });
      probe.on("error", () => undefined);
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        return;
      } catch {
        probe.disconnect();
        if (Date.now() > deadline) throw new Error("private redis-server did not start");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  /** Freezes the server (SIGSTOP): its TCP connections stay open and nothing answers. */
  freeze(): void {
    this.child?.kill("SIGSTOP");
  }

  /** Lets a frozen server run again (SIGCONT); it answers everything that waited. */
  thaw(): void {
    this.child?.kill("SIGCONT");
  }

  /** Stops the server abruptly, as an outage would. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    child.kill("SIGCONT");
    await exited;
  }
}
