import cluster from "node:cluster";
import { renameSync, writeFileSync } from "node:fs";

/**
 * Preloaded into every server under test (`--import`), so Parley's own code stays untouched.
 * On SIGUSR2 it collects garbage (the server runs with --expose-gc) and writes its memory
 * figures to BENCH_MEMORY_FILE, letting the harness read RSS and heap after a full GC.
 */
const base = process.env.BENCH_MEMORY_FILE;
// node:cluster workers inherit the primary's execArgv (so this preload and --expose-gc) and its
// environment: each writes a file of its own, named after its pid (see memoryFileOf).
const target = base && cluster.isWorker ? `${base}.${process.pid}` : base;
if (target) {
  process.on("SIGUSR2", () => {
    const collect = (globalThis as { gc?: () => void }).gc;
    collect?.();
    const usage = process.memoryUsage();
    const report = {
      collected: collect !== undefined,
      rss: usage.rss,
      heapUsed: usage.heapUsed,
      external: usage.external,
    };
    // Written aside and renamed, so the harness never reads half a file.
    writeFileSync(`${target}.tmp`, JSON.stringify(report));
    renameSync(`${target}.tmp`, target);
  });
}
