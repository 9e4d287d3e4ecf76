import { ConfigError, loadConfig } from "./config.js";
import { createParley } from "./parley.js";

/** The process entry: start, and stop gracefully on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const config = loadConfig();
  const parley = await createParley(config);
  await parley.listen();
  parley.app.log.info(`Parley is serving ${config.publicUrl}`);
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

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
