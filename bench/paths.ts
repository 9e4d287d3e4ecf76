import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute paths, so child processes and the test runner agree whatever their working directory. */
export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(BENCH_DIR, "..");
export const RESULTS_DIR = resolve(BENCH_DIR, "results");
export const SEED_DIR = resolve(BENCH_DIR, "data");
