import type { ScenarioName } from "../options.js";
import type { ScenarioResult } from "../scenarios/result.js";
import { TARGET_LABELS, type TargetName } from "../servers/target.js";
import { formatNumber, formatRatio, padTable } from "./format.js";

/**
 * One scenario as a table: a row per metric, Parley's value, then each baseline's value
 * followed by Parley/baseline. Statuses and notes follow the table.
 */
export function scenarioTable(title: string, results: readonly ScenarioResult[]): string[] {
  const byTarget = new Map<TargetName, ScenarioResult>(results.map((result) => [result.target, result]));
  const parley = byTarget.get("parley");
  const baselines = results.filter((result) => result.target !== "parley");
  const comparable = baselines.filter((result) => result.status === "ok");
  const labels: string[] = [];
  for (const result of results)
    for (const metric of result.metrics) if (!labels.includes(metric.label)) labels.push(metric.label);

  const lines = [title];
  if (labels.length > 0) {
    const header = ["metric"];
    if (parley) header.push(TARGET_LABELS.parley);
    for (const baseline of comparable) header.push(TARGET_LABELS[baseline.target], parley ? "Parley ÷" : "");
    const rows = [header];
    for (const label of labels) {
      const value = (result: ScenarioResult | undefined) =>
        result?.metrics.find((metric) => metric.label === label);
      const own = value(parley);
      const unit = own?.unit ?? comparable.map(value).find(Boolean)?.unit ?? "";
      const row = [unit ? `${label} (${unit})` : label];
      if (parley) row.push(formatNumber(own?.value));
      for (const baseline of comparable) {
        const theirs = value(baseline)?.value;
        row.push(formatNumber(theirs), parley ? formatRatio(own?.value, theirs) : "");
      }
      rows.push(row);
    }
    lines.push(...padTable(rows).map((line) => `  ${line.trimEnd()}`));
  }
  for (const result of results) {
    if (result.status !== "ok" || result.note) {
      lines.push(
        `  ${TARGET_LABELS[result.target]}: ${result.status}${result.note ? ` — ${result.note}` : ""}`,
      );
    }
  }
  return lines;
}

export function reportTables(
  titles: Partial<Record<ScenarioName, string>>,
  results: readonly ScenarioResult[],
): string[] {
  const lines: string[] = [];
  const order = [...new Set(results.map((result) => result.scenario))];
  for (const scenario of order) {
    lines.push(
      ...scenarioTable(
        titles[scenario] ?? scenario,
        results.filter((result) => result.scenario === scenario),
      ),
      "",
    );
  }
  return lines;
}
