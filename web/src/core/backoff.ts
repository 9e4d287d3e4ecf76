import type { Random } from "./ports.js";

export const BACKOFF_START_MS = 300;
export const BACKOFF_CAP_MS = 10_000;
/** A hint is honoured with up to this much extra, so clients told the same wait do not return at once. */
const HINT_SPREAD = 0.2;

/**
 * How long to wait before reconnect attempt `attempt` (0 for the first retry): exponential with
 * "equal jitter" (half fixed, half random), so the herd a server restart drops spreads out.
 * A server hint (Retry-After) is a floor: never come back before the server asked.
 */
export function reconnectDelay(attempt: number, random: Random, hintMs?: number): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_START_MS * 2 ** attempt);
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  if (hintMs === undefined) return jittered;
  return Math.max(jittered, hintMs * (1 + HINT_SPREAD * random()));
}

/** Milliseconds from a Retry-After header (delta-seconds or an HTTP date), or undefined. */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
