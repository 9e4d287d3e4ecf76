import type { SearchPage } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { ApiError } from "./http-api.js";
import { resultPath, SearchSession, snippetPieces } from "./search.js";

function page(seq: number, more = false): SearchPage {
  return {
    results: [
      {
        room: { id: "r1", slug: "東京", name: "東京" },
        seq,
        author: { id: "u1", name: "Aiko", image: "/a.svg" },
        createdAt: 1,
        snippet: { text: `message ${seq}`, highlights: [], cutStart: false, cutEnd: false },
      },
    ],
    hasMore: more,
    partial: false,
  };
}

/** An API whose answers the test releases one by one, in any order. */
function manualApi() {
  const pending: Array<{
    q: string;
    offset: number;
    resolve(page: SearchPage): void;
    reject(e: unknown): void;
  }> = [];
  return {
    pending,
    api: {
      search: (params: { q: string; offset: number }) =>
        new Promise<SearchPage>((resolve, reject) => pending.push({ ...params, resolve, reject })),
    },
  };
}

const clock = { now: () => 0 };

describe("SearchSession", () => {
  it("shows the answer of the newest search even when an older one answers later", async () => {
    const { api, pending } = manualApi();
    const session = new SearchSession(api, clock);
    const first = session.run("会議", null);
    const second = session.run("東京", "r1");
    pending[1]?.resolve(page(2));
    await second;
    pending[0]?.resolve(page(1));
    await first;
    expect(session.getState()).toMatchObject({ query: "東京", roomId: "r1", status: "done" });
    expect(session.getState().results.map((r) => r.seq)).toEqual([2]);
  });

  it("appends the next page, and keeps the results when it fails", async () => {
    const { api, pending } = manualApi();
    const session = new SearchSession(api, clock);
    const run = session.run("会議", null);
    pending[0]?.resolve(page(1, true));
    await run;
    const more = session.more();
    expect(pending[1]?.offset).toBe(1);
    pending[1]?.resolve(page(2, true));
    await more;
    expect(session.getState().results.map((r) => r.seq)).toEqual([1, 2]);
    const failing = session.more();
    pending[2]?.reject(new ApiError({ code: "offline" }));
    await failing;
    expect(session.getState()).toMatchObject({ status: "done", problem: { code: "offline" } });
    expect(session.getState().results).toHaveLength(2);
  });

  it("keeps a refusal's reason for the UI to word", async () => {
    const { api, pending } = manualApi();
    const session = new SearchSession(api, clock);
    const run = session.run('"open', null);
    pending[0]?.reject(new ApiError({ code: "bad_search", status: 400, reason: "unclosed_quote" }));
    await run;
    expect(session.getState()).toMatchObject({ status: "error", problem: { reason: "unclosed_quote" } });
  });

  it("clears on an empty query without asking the server", async () => {
    const { api, pending } = manualApi();
    const session = new SearchSession(api, clock);
    await session.run("   ", null);
    expect(pending).toHaveLength(0);
    expect(session.getState().status).toBe("idle");
  });
});

describe("snippetPieces and resultPath", () => {
  it("splits text at the marks, clamping ranges that overrun the text", () => {
    const pieces = snippetPieces({
      text: "明日の会議は",
      highlights: [
        { start: 3, end: 5 },
        { start: 5, end: 99 },
      ],
      cutStart: false,
      cutEnd: false,
    });
    expect(pieces).toEqual([
      { text: "明日の", marked: false },
      { text: "会議", marked: true },
      { text: "は", marked: true },
    ]);
  });

  it("leads to the room opened at the message", () => {
    expect(resultPath(page(7).results[0] as SearchPage["results"][number])).toBe("/r/%E6%9D%B1%E4%BA%AC?m=7");
  });
});
