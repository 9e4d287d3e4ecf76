import cluster from "node:cluster";
import { type Config, ConfigError, loadConfig } from "./config.js";
import { createParley, migrateDatabase } from "./parley.js";

/** One node: serve until SIGTERM/SIGINT, then stop gracefully (sockets told to reconnect elsewhere). */
async function runNode(config: Config): Promise<void> {
  const parley = await createParley(config);
  await parley.listen();
  parley.app.log.info(
    `Parley is serving ${config.publicUrl}${cluster.isWorker ? ` (worker ${process.pid})` : ""}`,
  );
  if (config.devSignIn) parley.app.log.warn("dev sign-in is on: anyone can sign in with any name");

  const stop = (signal: string) => {
    parley.app.log.info({ signal }, "shutting down");
    parley.close().then(
      () => process.exit(0),
      (error: unknown) => {
        parley.app.log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

/**
 * WORKERS=N: N node processes on one port, so one machine uses all its cores and holds more
 * sockets than one process's file limit. Each worker binds the port itself with SO_REUSEPORT and
 * the kernel spreads connections over them (see `listen` in parley.ts); the primary only migrates,
 * forks and restarts. Workers share fan-out and presence through Redis like separate machines.
 */
async function runPrimary(config: Config): Promise<void> {
  await migrateDatabase(config);
  let stopping = false;
  const fork = () => cluster.fork();
  for (let i = 0; i < config.workers; i++) fork();
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    console.error(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    setTimeout(fork, 1000);
  });
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.workers > 1 && cluster.isPrimary) await runPrimary(config);
  else await runNode(config);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
