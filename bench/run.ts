import { runBench } from "./bench.js";
import { parseArgs, USAGE, UsageError } from "./options.js";
import { saveResults } from "./report/save.js";
import { installCleanupHandlers } from "./system/children.js";
import { detectPinning, LOAD_CPU, pinProcess } from "./system/pinning.js";

/** `npm run bench -- [flags]`: see bench/options.ts and docs/benchmarks.md. */
async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let options: ReturnType<typeof parseArgs>;
  try {
    options = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (error.message) console.error(error.message);
    console.error(USAGE);
    return 2;
  }
  installCleanupHandlers();
  const pinning = detectPinning();
  // The coordinator signs users in and times history pages: keep it off the server's CPU too.
  pinProcess(pinning, process.pid, LOAD_CPU);
  const report = await runBench(
    options,
    ["npm run bench", ...(argv.length > 0 ? ["--", ...argv] : [])].join(" "),
    pinning,
  );
  if (options.save) console.log(`results: ${saveResults(report)}`);
  return report.results.some((result) => result.status === "failed") ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
