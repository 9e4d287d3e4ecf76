import { openBench } from "../bench.js";
import { parseArgs } from "../options.js";
import { installCleanupHandlers } from "../system/children.js";
import { detectPinning, LOAD_CPU, pinProcess } from "../system/pinning.js";

installCleanupHandlers();
const pinning = detectPinning();
pinProcess(pinning, process.pid, LOAD_CPU);
const options = parseArgs(["--no-save"]);
options.sizes.fanout.maxSteps = 0;
options.sizes.fanout.fixedRate = Number(process.env.RATE ?? 50);
options.log = (l) => {
  if (l.includes("fixed")) console.log(l);
};
const bench = await openBench(options, pinning);
for (const target of (process.env.TARGETS ?? "parley,ws,parley,ws").split(",")) {
  process.stdout.write(`${target}: `);
  await bench.run("fanout", target as "parley");
}
await bench.close();
process.exit(0);
