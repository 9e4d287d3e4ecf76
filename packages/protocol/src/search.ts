import { z } from "zod";
import { Member } from "./entities.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Longest search query accepted, in characters. */
export const MAX_SEARCH_QUERY_LENGTH = 256;
/** Most words and phrases in one query (filters not counted). */
export const MAX_SEARCH_TERMS = 12;
export const SEARCH_PAGE_SIZE = 20;
export const MAX_SEARCH_PAGE_SIZE = 50;
/** Furthest into the ranked results a page may start. */
export const MAX_SEARCH_OFFSET = 1000;

/**
 * `GET /api/search?q=&room=&tz=&limit=&offset=`. `q` holds words, "phrases" and filters
 * (`from:`, `in:`, `after:`, `before:`, `on:`; docs/protocol.md); `room` limits the search to
 * one room (by id); `tz` is the searcher's offset from UTC in minutes (east positive), so a date
 * in `on:` means the searcher's day.
 */
export const SearchQuery = z.object({
  q: z
    .string()
    .trim()
    .min(1, "type something to search for")
    .max(MAX_SEARCH_QUERY_LENGTH, `a search is at most ${MAX_SEARCH_QUERY_LENGTH} characters`)
    // Never useful in a search, and PostgreSQL refuses NUL in text parameters.
    .refine((q) => !CONTROL_CHARACTER.test(q), "the search holds a control character"),
  room: z
    .string()
    .min(1)
    .max(64)
    .refine((room) => !CONTROL_CHARACTER.test(room), "the room id holds a control character")
    .optional(),
  tz: z.coerce.number().int().min(-840).max(840).default(0),
  limit: z.coerce.number().int().min(1).max(MAX_SEARCH_PAGE_SIZE).default(SEARCH_PAGE_SIZE),
  offset: z.coerce.number().int().min(0).max(MAX_SEARCH_OFFSET).default(0),
});
export type SearchQuery = z.infer<typeof SearchQuery>;

/** A part of a message's text to show as matching: UTF-16 offsets into `text`, end exclusive. */
export const TextRange = z.object({
  start: z.number().int().nonnegative(),
  end: z.number().int().positive(),
});
export type TextRange = z.infer<typeof TextRange>;

/** The part of a message shown in a result, with the matches marked. */
export const SearchSnippet = z.object({
  text: z.string(),
  /** Ranges of `text` that matched, in order, not overlapping. The client marks them as text, never as HTML. */
  highlights: z.array(TextRange),
  /** True when the message goes on before / after `text`. */
  cutStart: z.boolean(),
  cutEnd: z.boolean(),
});
export type SearchSnippet = z.infer<typeof SearchSnippet>;

export const SearchResult = z.object({
  room: z.object({ id: z.string(), slug: z.string(), name: z.string() }),
  seq: z.number().int().positive(),
  author: Member,
  createdAt: z.number().int(),
  snippet: SearchSnippet,
});
export type SearchResult = z.infer<typeof SearchResult>;

export const SearchPage = z.object({
  results: z.array(SearchResult),
  /** More ranked results follow this page (ask with `offset`). */
  hasMore: z.boolean(),
  /**
   * Only the newest matches were ranked (the server's candidate limit was reached): older
   * messages may match too; narrow the search with words, `in:` or dates to reach them.
   */
  partial: z.boolean(),
});
export type SearchPage = z.infer<typeof SearchPage>;

/**
 * Why a search was refused (`400 {error: "bad_search", reason, message}`): the client words
 * the reason in the reader's language; `message` is the English text.
 */
export const SEARCH_REFUSALS = [
  "empty",
  "too_long",
  "bad_parameter",
  "unclosed_quote",
  "too_many_terms",
  "missing_value",
  "bad_date",
  "dates_reversed",
  "unknown_person",
  "unknown_room",
  "needs_words",
] as const;
export type SearchRefusal = (typeof SEARCH_REFUSALS)[number];
