import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type SQLite from "better-sqlite3";

/** SQLite's own default: checkpoint once the WAL holds this many pages. */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;
const CHECKPOINT_INTERVAL_MS = 1000;

/**
 * Runs in a worker thread with its own connection. PASSIVE copies what it can without waiting
 * for, or blocking, the writer; what it misses goes in the next round.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driverPath);
const db = new Database(workerData.path, { fileMustExist: true });
const timer = setInterval(() => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch (error) {
    parentPort.postMessage(String(error && error.message ? error.message : error));
  }
}, workerData.intervalMs);
parentPort.on("message", () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * Takes WAL checkpoints off the event loop. better-sqlite3 is synchronous, so SQLite's automatic
 * checkpoint ran inside whichever commit crossed 1,000 WAL pages: copying pages and two fsyncs
 * blocked every socket of the process for 20–90 ms at a time (seen as fan-out latency spikes).
 * A worker thread now checkpoints every second with its own connection; the main connection's
 * automatic checkpoint is turned off only once that thread runs, and back on if it ever stops.
 */
export function startCheckpointer(
  path: string,
  main: SQLite.Database,
  onProblem: (message: string) => void,
): Checkpointer {
  const driverPath = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { path, driverPath, intervalMs: CHECKPOINT_INTERVAL_MS },
  });
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  let stopping = false;
  const fallBack = (why: string) => {
    if (!main.open) return;
    main.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
    if (!stopping) onProblem(`${why}; SQLite checkpoints on commit again`);
  };
  worker.on("online", () => {
    if (!stopping && main.open) main.pragma("wal_autocheckpoint = 0");
  });
  worker.on("message", (message: string) => onProblem(`checkpoint failed: ${message}`));
  worker.on("error", (error) => fallBack(`checkpoint thread failed: ${error.message}`));
  worker.on("exit", (code) => fallBack(`checkpoint thread exited (${code})`));
  return {
    async stop() {
      stopping = true;
      worker.postMessage("stop");
      await exited;
    },
  };
}
