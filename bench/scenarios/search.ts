import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SearchPage } from "@parley/protocol";
import { withFleet } from "../load/fleet.js";
import { ENGLISH_WORDS } from "../search/corpus.js";
import { type SearchBackendName, seedSearchCorpus } from "../search/seed.js";
import { createRoom, me, signIn } from "../servers/parley-api.js";
import type { TargetName } from "../servers/target.js";
import { withTarget } from "../servers/targets.js";
import { newHistogram, recordMicros, summarize } from "../stats/histogram.js";
import { createMysqlDatabase, createPostgresDatabase, type ScratchDatabase } from "../system/databases.js";
import { noiseNote, otherCpuShare, sampleCpu } from "../system/noise.js";
import type { ScenarioContext } from "./context.js";
import { memberSpecs, requireAllConnected } from "./members.js";
import { type Metric, notApplicable, type ScenarioResult } from "./result.js";

interface Backend {
  name: SearchBackendName;
  create?: () => Promise<ScratchDatabase>;
}

function backends(context: ScenarioContext): Backend[] {
  const { mysqlUrl, postgresUrl } = context.options;
  return [
    { name: "SQLite" },
    ...(postgresUrl
      ? [{ name: "PostgreSQL" as const, create: () => createPostgresDatabase(postgresUrl) }]
      : []),
    ...(mysqlUrl ? [{ name: "MariaDB" as const, create: () => createMysqlDatabase(mysqlUrl) }] : []),
  ];
}

const PAGE = 20;
const ROOMS = 10;

/** One search the bench times, and how to count the messages it must find in the corpus. */
interface QuerySpec {
  label: string;
  q: (names: { room0: string; authorB: string }) => string;
  matches: (words: readonly string[], run: string | undefined, index: number) => boolean;
  /** Phrases: the index proposes more than match, so fewer than a page may come back from the newest candidates. */
  phrase?: boolean;
}

const w = (rank: number) => ENGLISH_WORDS[rank] as string;
const hasWord = (word: string) => (words: readonly string[]) => words.includes(word);
const inRun = (text: string) => (_: readonly string[], run: string | undefined) =>
  run?.includes(text) ?? false;

const QUERIES: QuerySpec[] = [
  { label: "English, most common word", q: () => w(0), matches: hasWord(w(0)) },
  { label: "English, rare word", q: () => w(3000), matches: hasWord(w(3000)) },
  {
    label: "English, two common words",
    q: () => `${w(1)} ${w(2)}`,
    matches: (words) => words.includes(w(1)) && words.includes(w(2)),
  },
  {
    label: "English, mid + most common word",
    q: () => `${w(200)} ${w(0)}`,
    matches: (words) => words.includes(w(200)) && words.includes(w(0)),
  },
  {
    label: 'English, "phrase"',
    q: () => `"${w(0)} ${w(1)}"`,
    matches: (words) => words.some((word, i) => word === w(0) && words[i + 1] === w(1)),
    phrase: true,
  },
  { label: "Japanese, 2 characters, common (会議)", q: () => "会議", matches: inRun("会議") },
  { label: "Japanese, 2 characters (大阪)", q: () => "大阪", matches: inRun("大阪") },
  { label: "Japanese, 3 characters (議事録)", q: () => "議事録", matches: inRun("議事録") },
  { label: "Japanese, 5 characters (打ち合わせ)", q: () => "打ち合わせ", matches: inRun("打ち合わせ") },
  {
    label: "Japanese, two words (確認 資料)",
    q: () => "確認 資料",
    matches: (_, run) => (run?.includes("確認") ?? false) && (run?.includes("資料") ?? false),
  },
  {
    label: "in:room + common word",
    q: ({ room0 }) => `in:${room0} ${w(0)}`,
    matches: (words, _run, index) => index % ROOMS === 0 && words.includes(w(0)),
  },
  {
    label: "from:person + 会議",
    q: ({ authorB }) => `from:"${authorB}" 会議`,
    matches: (_words, run, index) => index % 2 === 1 && (run?.includes("会議") ?? false),
  },
];

function serverTimingMs(header: string | null): number | undefined {
  const match = /search;dur=([\d.]+)/.exec(header ?? "");
  return match ? Number(match[1]) : undefined;
}

/**
 * Search over a seeded corpus of `messages` messages (half English, half Japanese, in 10 rooms,
 * by two people), on SQLite and on PostgreSQL and MariaDB when their URLs are set: each query of
 * QUERIES in turn, one at a time, timed inside the server (Server-Timing) and from the client.
 * Every answer is checked against the corpus (a page of 20, or all matches when fewer). Then
 * what indexing costs a durable send: the durable closed loop with SEARCH_INDEX=off and =sql.
 */
export async function runSearch(context: ScenarioContext, targetName: TargetName): Promise<ScenarioResult> {
  if (targetName !== "parley") return notApplicable("search", targetName, "no search in the baseline");
  const size = context.options.sizes.search;
  const metrics: Metric[] = [
    { label: "messages searched", value: size.messages, unit: "", better: "higher" },
  ];
  const details: Record<string, unknown> = {};
  const failures: string[] = [];
  const notes: string[] = [];
  for (const backend of backends(context)) {
    const outcome = await searchOn(context, backend);
    details[backend.name] = outcome;
    failures.push(...outcome.wrong.map((what) => `${backend.name}: ${what}`));
    metrics.push(
      {
        label: `${backend.name} search p50 (server)`,
        value: outcome.server.p50Ms,
        unit: "ms",
        better: "lower",
      },
      {
        label: `${backend.name} search p95 (server)`,
        value: outcome.server.p95Ms,
        unit: "ms",
        better: "lower",
      },
      {
        label: `${backend.name} search p99 (server)`,
        value: outcome.server.p99Ms,
        unit: "ms",
        better: "lower",
      },
      {
        label: `${backend.name} search p95 (client)`,
        value: outcome.client.p95Ms,
        unit: "ms",
        better: "lower",
      },
    );
    const noisy = noiseNote(outcome.otherCpuShare);
    if (noisy) notes.push(`${backend.name} search: ${noisy}`);
  }
  for (const backend of backends(context)) {
    const cost = await indexingCost(context, backend);
    details[`${backend.name} indexing`] = cost;
    metrics.push(
      {
        label: `${backend.name} acked sends/s, index off`,
        value: cost.off.acksPerSecond,
        unit: "",
        better: "higher",
      },
      {
        label: `${backend.name} acked sends/s, index on`,
        value: cost.on.acksPerSecond,
        unit: "",
        better: "higher",
      },
      {
        label: `${backend.name} indexing cost (throughput)`,
        value: cost.throughputCostPercent,
        unit: "%",
        better: "lower",
      },
      {
        label: `${backend.name} indexing cost (server CPU per send)`,
        value: cost.cpuCostPercent,
        unit: "%",
        better: "lower",
      },
    );
  }
  if (!context.options.postgresUrl) notes.push("PostgreSQL not run (set BENCH_POSTGRES_URL)");
  if (!context.options.mysqlUrl) notes.push("MariaDB not run (set BENCH_MYSQL_URL)");
  return {
    scenario: "search",
    target: targetName,
    status: failures.length === 0 ? "ok" : "failed",
    ...(failures.length + notes.length > 0 ? { note: [...failures, ...notes].join("; ") } : {}),
    metrics,
    details: { ...size, backends: details },
  };
}

async function searchOn(context: ScenarioContext, backend: Backend) {
  const size = context.options.sizes.search;
  const database = await backend.create?.();
  const dataDir = database ? undefined : mkdtempSync(join(tmpdir(), "parley-bench-search-"));
  const target = { pinning: context.pinning, ...(database ? { databaseUrl: database.url } : { dataDir }) };
  try {
    // Parley makes the schema, two people and the rooms; the corpus goes in beside it.
    const made = await withTarget("parley", target, async (running) => {
      const base = running.server.baseUrl;
      const a = await signIn(base, "Searcher A");
      const b = await signIn(base, "Searcher B");
      const rooms = [];
      for (let i = 0; i < ROOMS; i++) rooms.push(await createRoom(base, a.cookie, `search ${i}`));
      return { authors: [(await me(base, a.cookie)).id, (await me(base, b.cookie)).id], rooms };
    });
    const expected = QUERIES.map(() => 0);
    const seedStarted = performance.now();
    await seedSearchCorpus(
      backend.name,
      { ...(dataDir && { dataDir }), ...(database && { databaseUrl: database.url }) },
      {
        messages: size.messages,
        roomIds: made.rooms.map((room) => room.id),
        authorIds: made.authors,
        start: Date.now() - size.messages * 30_000,
        observe(message, index) {
          for (const [i, query] of QUERIES.entries())
            if (query.matches(message.words, message.run, index)) expected[i] = (expected[i] ?? 0) + 1;
        },
      },
    );
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    context.log(
      `    ${backend.name}: seeded ${size.messages.toLocaleString("en")} messages in ${seedSeconds.toFixed(0)} s`,
    );

    return await withTarget("parley", target, async (running) => {
      const base = running.server.baseUrl;
      const { cookie } = await signIn(base, "Searcher A");
      const names = { room0: made.rooms[0]?.slug ?? "", authorB: "Searcher B" };
      const ask = async (query: QuerySpec) => {
        const started = performance.now();
        const response = await fetch(`${base}/api/search?${new URLSearchParams({ q: query.q(names) })}`, {
          headers: { cookie },
        });
        const body = await response.json();
        const clientMs = performance.now() - started;
        if (!response.ok)
          throw new Error(`search "${query.q(names)}" answered ${response.status}: ${JSON.stringify(body)}`);
        return {
          page: SearchPage.parse(body),
          clientMs,
          serverMs: serverTimingMs(response.headers.get("server-timing")),
        };
      };
      for (let round = 0; round < 2; round++) for (const query of QUERIES) await ask(query);
      const server = newHistogram();
      const client = newHistogram();
      const perQuery = QUERIES.map(() => newHistogram());
      const wrong = new Set<string>();
      const ownPids = [running.server.pid, process.pid];
      const cpuBefore = sampleCpu(ownPids);
      for (let round = 0; round < size.rounds; round++) {
        for (const [i, query] of QUERIES.entries()) {
          const { page, clientMs, serverMs } = await ask(query);
          recordMicros(client, clientMs * 1000);
          recordMicros(server, (serverMs ?? clientMs) * 1000);
          recordMicros(perQuery[i] as ReturnType<typeof newHistogram>, (serverMs ?? clientMs) * 1000);
          const want = Math.min(PAGE, expected[i] as number);
          const ok = query.phrase
            ? want === 0
              ? page.results.length === 0
              : page.results.length > 0
            : page.results.length === want;
          if (!ok)
            wrong.add(`${query.label}: ${page.results.length} results, expected ${want} (of ${expected[i]})`);
        }
      }
      const share = otherCpuShare(cpuBefore, sampleCpu(ownPids));
      const byQuery = QUERIES.map((query, i) => {
        const summary = summarize(perQuery[i] as ReturnType<typeof newHistogram>);
        context.log(
          `      ${query.label.padEnd(40)} matches ${String(expected[i]).padStart(8)}  p50 ${summary.p50Ms} ms  p95 ${summary.p95Ms} ms`,
        );
        return { label: query.label, query: query.q(names), matches: expected[i], ...summary };
      });
      const result = {
        seedSeconds,
        server: summarize(server),
        client: summarize(client),
        byQuery,
        wrong: [...wrong],
        otherCpuShare: share,
      };
      for (const histogram of [server, client, ...perQuery]) histogram.destroy();
      context.log(
        `    ${backend.name}: search p50 ${result.server.p50Ms} ms, p95 ${result.server.p95Ms} ms, p99 ${result.server.p99Ms} ms inside the server (${result.server.count} searches)`,
      );
      return result;
    });
  } finally {
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The durable closed loop with the index off, then on, then on, then off (ABBA evens out drift). */
async function indexingCost(context: ScenarioContext, backend: Backend) {
  const size = context.options.sizes.search.indexing;
  const runs: Array<{ index: "off" | "sql"; acksPerSecond: number; cpuPerThousand: number }> = [];
  for (const index of ["off", "sql", "sql", "off"] as const) {
    const database = await backend.create?.();
    try {
      const outcome = await withTarget(
        "parley",
        {
          pinning: context.pinning,
          env: { SEARCH_INDEX: index },
          ...(database ? { databaseUrl: database.url } : {}),
        },
        async (target) => {
          const roomIds = await target.createRooms("indexing", size.rooms);
          const roomOf = (i: number) => roomIds[i % size.rooms] as string;
          const count = size.rooms * size.sendersPerRoom;
          const specs = await memberSpecs(target, "writer", count, (i) => [roomOf(i)]);
          return withFleet(context.pool, target, specs, async (fleet) => {
            requireAllConnected(fleet, count);
            return fleet.closedLoop({
              step: 1,
              durationMs: size.durationMs,
              drainMs: size.drainMs,
              window: size.window,
              senders: specs.map((spec) => ({ conn: spec.id, roomId: roomOf(spec.id) })),
            });
          });
        },
      );
      runs.push({
        index,
        acksPerSecond: outcome.acksPerSecond,
        cpuPerThousand: outcome.acks > 0 ? (outcome.serverCpuSeconds / outcome.acks) * 1000 : 0,
      });
    } finally {
      await database?.drop();
    }
  }
  const mean = (index: "off" | "sql", pick: (run: (typeof runs)[number]) => number) => {
    const chosen = runs.filter((run) => run.index === index);
    return chosen.reduce((total, run) => total + pick(run), 0) / chosen.length;
  };
  const off = {
    acksPerSecond: mean("off", (r) => r.acksPerSecond),
    cpuPerThousand: mean("off", (r) => r.cpuPerThousand),
  };
  const on = {
    acksPerSecond: mean("sql", (r) => r.acksPerSecond),
    cpuPerThousand: mean("sql", (r) => r.cpuPerThousand),
  };
  const cost = {
    runs,
    off,
    on,
    throughputCostPercent: Math.round((1 - on.acksPerSecond / off.acksPerSecond) * 1000) / 10,
    cpuCostPercent: Math.round((on.cpuPerThousand / off.cpuPerThousand - 1) * 1000) / 10,
  };
  context.log(
    `    ${backend.name}: ${off.acksPerSecond.toFixed(0)} acked sends/s without the index, ${on.acksPerSecond.toFixed(0)} with it ` +
      `(${cost.throughputCostPercent}% fewer; server CPU per send ${cost.cpuCostPercent}% more)`,
  );
  return cost;
}
