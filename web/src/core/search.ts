import type { SearchResult } from "@parley/protocol";
import type { ChatApi } from "./http-api.js";
import { problemOf } from "./http-api.js";
import type { Clock } from "./ports.js";
import type { Problem } from "./problem.js";
import { roomPath } from "./routing.js";

export interface SearchState {
  /** The query of the results shown (or being fetched). */
  readonly query: string;
  /** Searching in this room only, or everywhere (null). */
  readonly roomId: string | null;
  readonly status: "idle" | "loading" | "done" | "error";
  readonly results: readonly SearchResult[];
  readonly hasMore: boolean;
  /** Only the newest matches were ranked: older messages may match too. */
  readonly partial: boolean;
  readonly loadingMore: boolean;
  readonly problem: Problem | null;
}

const IDLE: SearchState = {
  query: "",
  roomId: null,
  status: "idle",
  results: [],
  hasMore: false,
  partial: false,
  loadingMore: false,
  problem: null,
};

/** Where a result leads: its room, opened at the message (the contract `/r/<slug>?m=<seq>`). */
export function resultPath(result: SearchResult): string {
  return `${roomPath(result.room.slug)}?m=${result.seq}`;
}

/** Text and marks of a snippet as pieces to render in order; marks come from the server's ranges, clamped. */
export function snippetPieces(snippet: SearchResult["snippet"]): Array<{ text: string; marked: boolean }> {
  const pieces: Array<{ text: string; marked: boolean }> = [];
  let at = 0;
  for (const { start, end } of snippet.highlights) {
    const from = Math.max(at, Math.min(start, snippet.text.length));
    const to = Math.max(from, Math.min(end, snippet.text.length));
    if (from > at) pieces.push({ text: snippet.text.slice(at, from), marked: false });
    if (to > from) pieces.push({ text: snippet.text.slice(from, to), marked: true });
    at = to;
  }
  if (at < snippet.text.length) pieces.push({ text: snippet.text.slice(at), marked: false });
  return pieces;
}

/**
 * The search panel's state, DOM-free. A newer search supersedes an older one still in flight:
 * its late answer is dropped, so the results always belong to the query shown.
 */
export class SearchSession {
  private state: SearchState = IDLE;
  private generation = 0;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly api: Pick<ChatApi, "search">,
    private readonly clock: Pick<Clock, "now">,
  ) {}

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getState = (): SearchState => this.state;

  /** Searches `query` (trimmed) in one room or everywhere; an empty query clears the results. */
  async run(query: string, roomId: string | null): Promise<void> {
    const q = query.trim();
    const generation = ++this.generation;
    if (!q) return this.set(IDLE);
    this.set({ ...IDLE, query: q, roomId, status: "loading" });
    await this.load(generation, 0);
  }

  /** The next page of the current results. */
  async more(): Promise<void> {
    const { status, hasMore, loadingMore, results } = this.state;
    if (status !== "done" || !hasMore || loadingMore) return;
    this.set({ ...this.state, loadingMore: true });
    await this.load(this.generation, results.length);
  }

  clear(): void {
    this.generation++;
    this.set(IDLE);
  }

  private async load(generation: number, offset: number): Promise<void> {
    const { query, roomId } = this.state;
    try {
      const page = await this.api.search({
        q: query,
        ...(roomId === null ? {} : { roomId }),
        // getTimezoneOffset is minutes west of UTC; the server takes east positive.
        tz: -new Date(this.clock.now()).getTimezoneOffset(),
        offset,
      });
      if (generation !== this.generation) return;
      this.set({
        ...this.state,
        status: "done",
        results: offset === 0 ? page.results : [...this.state.results, ...page.results],
        hasMore: page.hasMore,
        partial: page.partial,
        loadingMore: false,
        problem: null,
      });
    } catch (err) {
      if (generation !== this.generation) return;
      const problem = problemOf(err);
      this.set(
        offset === 0
          ? { ...this.state, status: "error", results: [], problem, loadingMore: false }
          : { ...this.state, loadingMore: false, problem },
      );
    }
  }

  private set(state: SearchState): void {
    this.state = state;
    for (const listener of this.listeners) listener();
  }
}
