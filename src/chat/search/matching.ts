import type { SearchSnippet, TextRange } from "@parley/protocol";
import type { SearchTerm } from "./search-query.js";
import { MAX_TOKEN_LENGTH, type TextUnit, textUnits } from "./text-units.js";

/**
 * What the index must hold for a message to be a candidate for one term: an exact token, or (a
 * lone CJK character) any token that starts with it.
 */
export type TokenRequirement = { token: string } | { prefix: string };

/**
 * The index look-ups of a term. Words need their token; a run of CJK characters needs each of
 * its bigrams; a lone CJK character needs a token starting with it (bigrams and run-final
 * characters are indexed, so every character starts one). Not the run-final character of the
 * query: the message's run may go on past it.
 */
export function requirementsOf(term: SearchTerm): TokenRequirement[] {
  const requirements: TokenRequirement[] = [];
  const { units } = term;
  for (const [i, unit] of units.entries()) {
    if (!unit.cjk) {
      requirements.push({ token: [...unit.text].slice(0, MAX_TOKEN_LENGTH).join("") });
      continue;
    }
    const next = units[i + 1];
    if (next?.cjk && next.joined) requirements.push({ token: unit.text + next.text });
    else if (!unit.joined) requirements.push({ prefix: unit.text });
  }
  return requirements;
}

/** Where a term occurs in a message's units: the index of each first unit. */
function occurrences(term: SearchTerm, units: readonly TextUnit[]): number[] {
  const wanted = term.units;
  const found: number[] = [];
  for (let p = 0; p + wanted.length <= units.length; p++) {
    let all = true;
    for (const [j, want] of wanted.entries()) {
      const unit = units[p + j] as TextUnit;
      // CJK joined in the query must be joined in the message: 東京 does not match 東 京.
      if (unit.text !== want.text || (j > 0 && want.cjk && want.joined && !unit.joined)) {
        all = false;
        break;
      }
    }
    if (all) found.push(p);
  }
  return found;
}

export interface MessageMatch {
  /** Higher is more relevant: each term counts once per occurrence, up to three. */
  score: number;
  /** Matched ranges of the body, in order, merged where they touch. */
  highlights: TextRange[];
}

/** Occurrences counted per term, at most: a message repeating a word is not ten times as relevant. */
const MAX_COUNTED_OCCURRENCES = 3;

/** Whether the body holds every term, and if so how relevant it is and where the terms are. */
export function matchMessage(terms: readonly SearchTerm[], body: string): MessageMatch | undefined {
  const units = textUnits(body);
  let score = 0;
  const ranges: TextRange[] = [];
  for (const term of terms) {
    const found = occurrences(term, units);
    if (found.length === 0) return undefined;
    score += Math.min(found.length, MAX_COUNTED_OCCURRENCES);
    for (const p of found) {
      ranges.push({
        start: (units[p] as TextUnit).start,
        end: (units[p + term.units.length - 1] as TextUnit).end,
      });
    }
  }
  return { score, highlights: merge(ranges) };
}

function merge(ranges: TextRange[]): TextRange[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start || a.end - b.end);
  const merged: TextRange[] = [];
  for (const range of sorted) {
    const last = merged.at(-1);
    if (last && range.start <= last.end) last.end = Math.max(last.end, range.end);
    else merged.push({ ...range });
  }
  return merged;
}

/** Longest snippet shown for one result, in UTF-16 units. */
export const SNIPPET_LENGTH = 280;
/** Text kept before the first match when the snippet is cut. */
const SNIPPET_LEAD = 60;

/** The part of the body to show: all of it when short, else a window from just before the first match. */
export function snippetOf(body: string, highlights: readonly TextRange[]): SearchSnippet {
  if (body.length <= SNIPPET_LENGTH) {
    return { text: body, highlights: [...highlights], cutStart: false, cutEnd: false };
  }
  let start = Math.max(0, Math.min((highlights[0]?.start ?? 0) - SNIPPET_LEAD, body.length - SNIPPET_LENGTH));
  let end = Math.min(body.length, start + SNIPPET_LENGTH);
  // Never cut a surrogate pair in two.
  if (isLowSurrogate(body.charCodeAt(start))) start++;
  if (end < body.length && isLowSurrogate(body.charCodeAt(end))) end--;
  const shown: TextRange[] = [];
  for (const range of highlights) {
    const from = Math.max(range.start, start);
    const to = Math.min(range.end, end);
    if (from < to) shown.push({ start: from - start, end: to - start });
  }
  return { text: body.slice(start, end), highlights: shown, cutStart: start > 0, cutEnd: end < body.length };
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
