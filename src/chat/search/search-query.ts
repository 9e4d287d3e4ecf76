import { MAX_SEARCH_TERMS, type SearchRefusal } from "@parley/protocol";
import { type TextUnit, textUnits } from "./text-units.js";

/** A query the parser refused: `reason` is the protocol's code, the message says what to fix. */
export class SearchQueryError extends Error {
  constructor(
    readonly reason: SearchRefusal,
    message: string,
  ) {
    super(message);
    this.name = "SearchQueryError";
  }
}

/** A word or "phrase" of the query, as units (see text-units.ts). */
export interface SearchTerm {
  /** What was typed. */
  text: string;
  units: TextUnit[];
}

/** A calendar day as typed (YYYY-MM-DD), resolved to instants with the searcher's UTC offset. */
export interface Day {
  year: number;
  month: number;
  day: number;
}

export interface ParsedSearch {
  terms: SearchTerm[];
  /** `from:` values: display names (or `me`), any of them. */
  from: string[];
  /** `in:` values: room slugs or names, any of them. */
  in: string[];
  /** Messages after this day (the day itself excluded, as in Slack). */
  after?: Day;
  /** Messages before this day (the day itself excluded). */
  before?: Day;
  on?: Day;
}

const FILTERS = ["from", "in", "after", "before", "on"] as const;
type Filter = (typeof FILTERS)[number];
const isFilter = (key: string): key is Filter => (FILTERS as readonly string[]).includes(key);

/**
 * Reads a search: words and "quoted phrases", and filters `from:name`, `in:room`,
 * `after:YYYY-MM-DD`, `before:YYYY-MM-DD`, `on:YYYY-MM-DD` (a value may be quoted:
 * `from:"Ann Lee"`). A word that only looks like a filter (`http://…`, `note:`) is a word.
 * Throws SearchQueryError on what it cannot read.
 */
export function parseSearch(query: string): ParsedSearch {
  const parsed: ParsedSearch = { terms: [], from: [], in: [] };
  let i = 0;
  const n = query.length;
  const readQuoted = (): string => {
    const close = query.indexOf('"', i + 1);
    if (close < 0) {
      throw new SearchQueryError(
        "unclosed_quote",
        'A quote is not closed: end the phrase with " or remove the quote.',
      );
    }
    const value = query.slice(i + 1, close);
    i = close + 1;
    return value;
  };
  const readBare = (): string => {
    const start = i;
    while (i < n && !/\s/u.test(query[i] as string)) i++;
    return query.slice(start, i);
  };
  while (i < n) {
    if (/\s/u.test(query[i] as string)) {
      i++;
      continue;
    }
    if (query[i] === '"') {
      addTerm(parsed, readQuoted());
      continue;
    }
    const filter = /^([a-z]+):/i.exec(query.slice(i, i + 10));
    const key = filter?.[1]?.toLowerCase();
    if (filter && key && isFilter(key)) {
      i += filter[0].length;
      const value = (query[i] === '"' ? readQuoted() : readBare()).trim();
      if (!value) {
        throw new SearchQueryError(
          "missing_value",
          `${key}: needs a value right after the colon (${example(key)}).`,
        );
      }
      addFilter(parsed, key, value);
      continue;
    }
    addTerm(parsed, readBare());
  }
  if (parsed.after && parsed.before && dayNumber(parsed.after) + 1 >= dayNumber(parsed.before)) {
    throw new SearchQueryError("dates_reversed", "No day is both after: and before: those dates.");
  }
  if (parsed.terms.length === 0 && parsed.from.length === 0 && parsed.in.length === 0 && !hasDates(parsed)) {
    throw new SearchQueryError("empty", "Type a word to search for.");
  }
  return parsed;
}

function hasDates(parsed: ParsedSearch): boolean {
  return Boolean(parsed.after || parsed.before || parsed.on);
}

function addTerm(parsed: ParsedSearch, text: string): void {
  const units = textUnits(text);
  // Punctuation alone ("-", "!!") finds nothing and is no mistake either: it is left out.
  if (units.length === 0) return;
  if (parsed.terms.length >= MAX_SEARCH_TERMS) {
    throw new SearchQueryError(
      "too_many_terms",
      `A search takes at most ${MAX_SEARCH_TERMS} words and phrases.`,
    );
  }
  parsed.terms.push({ text, units });
}

function addFilter(parsed: ParsedSearch, key: Filter, value: string): void {
  switch (key) {
    case "from":
      parsed.from.push(value.replace(/^@/, ""));
      return;
    case "in":
      parsed.in.push(value.replace(/^#/, ""));
      return;
    default:
      parsed[key] = readDay(key, value);
  }
}

function example(key: Filter): string {
  if (key === "from") return "from:ann";
  if (key === "in") return "in:general";
  return `${key}:2026-01-31`;
}

function readDay(key: Filter, value: string): Day {
  const match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value);
  const bad = () =>
    new SearchQueryError(
      "bad_date",
      `${key}: takes a date as year-month-day, like ${key}:2026-01-31 (not "${value}").`,
    );
  if (!match) throw bad();
  const day = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  const date = new Date(Date.UTC(day.year, day.month - 1, day.day));
  if (
    date.getUTCFullYear() !== day.year ||
    date.getUTCMonth() !== day.month - 1 ||
    date.getUTCDate() !== day.day
  ) {
    throw bad();
  }
  return day;
}

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 (UTC calendar). */
function dayNumber(day: Day): number {
  return Date.UTC(day.year, day.month - 1, day.day) / DAY_MS;
}

/** When the day starts for someone `utcOffsetMinutes` east of UTC, as epoch milliseconds. */
export function dayStart(day: Day, utcOffsetMinutes: number): number {
  return dayNumber(day) * DAY_MS - utcOffsetMinutes * 60_000;
}

/** The instants [since, until) the query's dates allow; either end open when no date bounds it. */
export function timeWindow(
  parsed: ParsedSearch,
  utcOffsetMinutes: number,
): { since?: number; until?: number } {
  const starts: number[] = [];
  const ends: number[] = [];
  if (parsed.after) starts.push(dayStart(parsed.after, utcOffsetMinutes) + DAY_MS);
  if (parsed.on) {
    starts.push(dayStart(parsed.on, utcOffsetMinutes));
    ends.push(dayStart(parsed.on, utcOffsetMinutes) + DAY_MS);
  }
  if (parsed.before) ends.push(dayStart(parsed.before, utcOffsetMinutes));
  return {
    ...(starts.length > 0 && { since: Math.max(...starts) }),
    ...(ends.length > 0 && { until: Math.min(...ends) }),
  };
}
