import type { LoadPool } from "../load/pool.js";
import type { BenchOptions } from "../options.js";
import type { Pinning } from "../system/pinning.js";

/** What every scenario gets: the sizes and flags, the shared load processes and the CPU pinning. */
export interface ScenarioContext {
  options: BenchOptions;
  pool: LoadPool;
  pinning: Pinning;
  log(line: string): void;
}
