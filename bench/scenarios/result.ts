import type { ScenarioName } from "../options.js";
import type { TargetName } from "../servers/target.js";
import type { LatencySummary } from "../stats/histogram.js";

export interface Metric {
  label: string;
  /** null when there is nothing to report (e.g. no step passed). */
  value: number | null;
  unit: string;
  /** Tells the reader which way the Parley/baseline ratio should lean. */
  better: "higher" | "lower";
}

/**
 * One scenario against one server. "n/a": the scenario does not apply to that server
 * (baselines store nothing); "skipped": not run on purpose; "failed": it broke.
 */
export interface ScenarioResult {
  scenario: ScenarioName;
  target: TargetName;
  status: "ok" | "failed" | "n/a" | "skipped";
  note?: string;
  metrics: Metric[];
  /** Share of one CPU that processes outside the harness used during the measurement (noise). */
  otherCpuShare?: number;
  /** Everything else worth keeping in the JSON (per-step figures, raw counts). */
  details?: unknown;
}

export function latencyMetrics(latency: LatencySummary, prefix = "latency"): Metric[] {
  return [
    { label: `${prefix} p50`, value: latency.p50Ms, unit: "ms", better: "lower" },
    { label: `${prefix} p95`, value: latency.p95Ms, unit: "ms", better: "lower" },
    { label: `${prefix} p99`, value: latency.p99Ms, unit: "ms", better: "lower" },
    { label: `${prefix} max`, value: latency.maxMs, unit: "ms", better: "lower" },
  ];
}

export function notApplicable(scenario: ScenarioName, target: TargetName, note: string): ScenarioResult {
  return { scenario, target, status: "n/a", note, metrics: [] };
}
