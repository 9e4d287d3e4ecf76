import { LoadPool } from "./load/pool.js";
import type { BenchOptions, ScenarioName, Sizes } from "./options.js";
import { reportTables, scenarioTable } from "./report/table.js";
import type { ScenarioContext } from "./scenarios/context.js";
import { SCENARIOS } from "./scenarios/index.js";
import type { ScenarioResult } from "./scenarios/result.js";
import { TARGET_LABELS, type TargetName } from "./servers/target.js";
import { describeMachine, type Machine } from "./system/machine.js";
import { isNoisy, QuietGate } from "./system/noise.js";
import { detectPinning, type Pinning } from "./system/pinning.js";

/** The harness as a library: the CLI (bench/run.ts) and the test (test/bench) both drive it. */

export interface Bench {
  readonly context: ScenarioContext;
  /** Runs one scenario against one server; a failure comes back as a "failed" result, not a throw. */
  run(scenario: ScenarioName, target: TargetName): Promise<ScenarioResult>;
  /** Stops the load processes. Servers are stopped by each scenario. */
  close(): Promise<void>;
}

export async function openBench(options: BenchOptions, pinning: Pinning = detectPinning()): Promise<Bench> {
  const pool = await LoadPool.start(options.loadProcesses, pinning);
  const context: ScenarioContext = { options, pool, pinning, log: options.log };
  return {
    context,
    async run(scenario, target) {
      try {
        return await SCENARIOS[scenario].run(context, target);
      } catch (error) {
        const note = error instanceof Error ? error.message : String(error);
        return { scenario, target, status: "failed", note, metrics: [] };
      }
    },
    close: () => pool.close(),
  };
}

export interface RunReport {
  startedAt: string;
  finishedAt: string;
  command: string;
  machine: Machine;
  pinning: string;
  quick: boolean;
  sizes: Sizes;
  results: ScenarioResult[];
}

export function scenarioTitle(scenario: ScenarioName, context: ScenarioContext): string {
  return SCENARIOS[scenario].title(context);
}

/**
 * Runs a measurement once the machine is quiet; if something else took the CPUs meanwhile,
 * measures once more when it has gone and keeps the quieter result.
 */
async function measureQuietly(bench: Bench, gate: QuietGate, scenario: ScenarioName, target: TargetName) {
  const ownPids = () => [...bench.context.pool.pids(), process.pid];
  await gate.wait(ownPids);
  const result = await bench.run(scenario, target);
  if (!isNoisy(result.otherCpuShare) || !gate.hasBudget) return result;
  bench.context.log(`  ${TARGET_LABELS[target]}: noisy, measuring again`);
  await gate.wait(ownPids);
  const started = performance.now();
  const again = await bench.run(scenario, target);
  gate.charge(performance.now() - started);
  return (again.otherCpuShare ?? 0) < (result.otherCpuShare ?? 0) ? again : result;
}

/** Every selected scenario against every selected server, printing each table as it completes. */
export async function runBench(
  options: BenchOptions,
  command: string,
  pinning: Pinning = detectPinning(),
): Promise<RunReport> {
  const startedAt = new Date().toISOString();
  const machine = describeMachine();
  options.log(
    `machine: ${machine.nproc} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, node ${machine.node}, ` +
      `Linux ${machine.kernel}, open files ${machine.openFileLimit}, load average ${machine.loadAverage.join(" ")}`,
  );
  options.log(`pinning: ${pinning.description}`);
  const bench = await openBench(options, pinning);
  const gate = new QuietGate(options.quietWaitMs, options.log);
  const results: ScenarioResult[] = [];
  const titles: Partial<Record<ScenarioName, string>> = {};
  try {
    for (const scenario of options.scenarios) {
      titles[scenario] = scenarioTitle(scenario, bench.context);
      options.log(`\n${titles[scenario]}`);
      const own: ScenarioResult[] = [];
      for (const target of options.targets) {
        const started = performance.now();
        options.log(`  ${TARGET_LABELS[target]}…`);
        const result = SCENARIOS[scenario].measures(target, bench.context)
          ? await measureQuietly(bench, gate, scenario, target)
          : await bench.run(scenario, target);
        options.log(
          `  ${TARGET_LABELS[target]}: ${result.status} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
        );
        own.push(result);
      }
      results.push(...own);
      options.log("");
      for (const line of scenarioTable(titles[scenario] ?? scenario, own)) options.log(line);
    }
  } finally {
    await bench.close();
  }
  options.log(`\n=== summary (${pinning.description}) ===\n`);
  for (const line of reportTables(titles, results)) options.log(line);
  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    command,
    machine,
    pinning: pinning.description,
    quick: options.quick,
    sizes: options.sizes,
    results,
  };
}
