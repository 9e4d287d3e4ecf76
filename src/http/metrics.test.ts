import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createMetrics } from "./metrics.js";

interface Dashboard {
  panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
  templating: { list: Array<{ query?: unknown }> };
}

const dashboard = JSON.parse(
  readFileSync(new URL("../../deploy/grafana/parley-dashboard.json", import.meta.url), "utf8"),
) as Dashboard;

/** Every series name Parley exposes: histograms as their _bucket, _sum and _count series. */
function exposedNames(): Set<string> {
  const names = new Set<string>();
  for (const metric of createMetrics().registry.getMetricsAsArray()) {
    const { name, type } = metric as unknown as { name: string; type: string };
    names.add(name);
    if (type === "histogram") for (const suffix of ["_bucket", "_sum", "_count"]) names.add(name + suffix);
    if (type === "summary") for (const suffix of ["_sum", "_count"]) names.add(name + suffix);
  }
  return names;
}

describe("the Grafana dashboard", () => {
  const queries = [
    ...dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr)),
    ...dashboard.templating.list.flatMap((variable) =>
      typeof variable.query === "string" ? [variable.query] : [],
    ),
  ];
  const queried = new Set(queries.flatMap((query) => query.match(/\bparley_[a-z0-9_]+/g) ?? []));

  it("queries only metrics that Parley registers", () => {
    expect(queried.size).toBeGreaterThan(10);
    const exposed = exposedNames();
    expect([...queried].filter((name) => !exposed.has(name))).toEqual([]);
  });

  it("shows each of Parley's own chat metrics", () => {
    for (const name of [
      "parley_messages_stored_total",
      "parley_deliveries_total",
      "parley_fanout_latency_seconds_bucket",
      "parley_refusals_total",
      "parley_database_query_seconds_bucket",
      "parley_redis_command_seconds_bucket",
      "parley_sessions_watched",
      "parley_presence_members",
      "parley_websocket_connections",
      "parley_dependency_up",
      "parley_dependency_outages_total",
    ])
      expect(queried).toContain(name);
  });
});

describe("docs/protocol.md", () => {
  const doc = readFileSync(new URL("../../docs/protocol.md", import.meta.url), "utf8");
  it("names every metric of Parley's own (not the runtime's)", () => {
    const own = createMetrics()
      .registry.getMetricsAsArray()
      .map((metric) => (metric as unknown as { name: string }).name)
      .filter((name) => !/^parley_(process|nodejs)_/.test(name));
    expect(own.filter((name) => !doc.includes(`\`${name}`))).toEqual([]);
  });
});
