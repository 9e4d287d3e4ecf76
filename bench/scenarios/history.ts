import { HistoryReader, signIn } from "../servers/parley-api.js";
import type { TargetName } from "../servers/target.js";
import { withTarget } from "../servers/targets.js";
import { newHistogram, recordMicros, summarize } from "../stats/histogram.js";
import { noiseNote, otherCpuShare, sampleCpu } from "../system/noise.js";
import type { ScenarioContext } from "./context.js";
import { timeKeysetQuery, warmPageCache } from "./history-query.js";
import { ensureHistorySeed } from "./history-seed.js";
import { latencyMetrics, notApplicable, type ScenarioResult } from "./result.js";

/** Untimed requests first, so connection set-up and JIT warm-up do not count. */
const WARM_UP_REQUESTS = 20;

/**
 * Keyset history pages from a room with a large history, with the database file in the page
 * cache (read once first), timed two ways: first the bare page query in-process on the seeded
 * file (better-sqlite3, prepared once, no server running), then GET …/messages?before=<random
 * seq> against Parley, one request at a time, timed from request to parsed page (session check,
 * query, JSON and HTTP included, as a browser pays them). Baselines keep no history.
 */
export async function runHistory(context: ScenarioContext, targetName: TargetName): Promise<ScenarioResult> {
  if (targetName !== "parley") return notApplicable("history", targetName, "no history in the baseline");
  const size = context.options.sizes.history;
  const seed = await ensureHistorySeed(size.messages, context.pinning, context.log);
  const warmStarted = performance.now();
  const warmBytes = warmPageCache(seed);
  context.log(
    `    read the database file once (${(warmBytes / 2 ** 30).toFixed(2)} GiB in ` +
      `${((performance.now() - warmStarted) / 1000).toFixed(1)} s) so the page cache holds it`,
  );
  const query = timeKeysetQuery(seed, size.pageSize, size.queryIterations);
  context.log(
    `    bare keyset query: p50 ${query.p50Us} µs, p99 ${query.p99Us} µs, max ${query.maxUs} µs ` +
      `over ${query.iterations} runs (plan: ${query.plan.join("; ")})`,
  );
  return withTarget("parley", { pinning: context.pinning, dataDir: seed.dataDir }, async (target) => {
    const base = target.server.baseUrl;
    const { cookie } = await signIn(base, "reader");
    const reader = new HistoryReader(base, cookie);
    for (let i = 0; i < WARM_UP_REQUESTS; i++) {
      await reader.page(seed.roomId, seed.messages, size.pageSize);
    }
    const latencies = newHistogram();
    let pages = 0;
    let short = 0;
    const ownPids = [target.server.pid, process.pid];
    const cpuBefore = sampleCpu(ownPids);
    const deadline = performance.now() + size.durationMs;
    while (performance.now() < deadline) {
      const before = size.pageSize + 1 + Math.floor(Math.random() * (seed.messages - size.pageSize));
      const started = performance.now();
      const page = await reader.page(seed.roomId, before, size.pageSize);
      recordMicros(latencies, (performance.now() - started) * 1000);
      pages++;
      if (page.messages.length !== size.pageSize || page.messages.at(-1)?.seq !== before - 1) short++;
    }
    const otherShare = otherCpuShare(cpuBefore, sampleCpu(ownPids));
    await reader.close();
    const latency = summarize(latencies);
    latencies.destroy();
    const notes = [
      short > 0 ? `${short} pages were not the ${size.pageSize} messages before the cursor` : undefined,
      query.wrongRowCounts > 0
        ? `${query.wrongRowCounts} bare queries returned the wrong row count`
        : undefined,
      noiseNote(otherShare),
    ].filter(Boolean);
    return {
      scenario: "history",
      target: targetName,
      status: short === 0 && query.wrongRowCounts === 0 ? "ok" : "failed",
      otherCpuShare: otherShare,
      ...(notes.length > 0 ? { note: notes.join("; ") } : {}),
      metrics: [
        { label: "messages in room", value: seed.messages, unit: "", better: "higher" },
        {
          label: "pages/s (one at a time)",
          value: pages / (size.durationMs / 1000),
          unit: "",
          better: "higher",
        },
        ...latencyMetrics(latency, "page"),
        { label: "bare query p50", value: query.p50Us, unit: "µs", better: "lower" },
        { label: "bare query p95", value: query.p95Us, unit: "µs", better: "lower" },
        { label: "bare query p99", value: query.p99Us, unit: "µs", better: "lower" },
        { label: "bare query max", value: query.maxUs, unit: "µs", better: "lower" },
      ],
      details: { ...size, pages, latency, query, otherCpuShare: otherShare },
    };
  });
}
