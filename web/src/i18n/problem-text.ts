import { MAX_MESSAGE_LENGTH } from "@parley/protocol";
import { useCallback } from "react";
import { type IntlShape, useIntl } from "react-intl";
import type { Problem, RoomError } from "../core/index.js";
import { en, type MessageId } from "./messages-en.js";

/** The catalog id of a code's own text, when it has one (`problem.<code>`). */
function ownText(code: string): MessageId | null {
  const id = `problem.${code}`;
  return Object.hasOwn(en, id) ? (id as MessageId) : null;
}

/** A wait in the largest unit that keeps it readable ("5 seconds", "3 分", "2 hours"), rounded up. */
export function formatWait(intl: IntlShape, ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  const [value, unit] =
    seconds < 90
      ? [seconds, "second"]
      : seconds < 90 * 60
        ? [Math.ceil(seconds / 60), "minute"]
        : [Math.ceil(seconds / 3600), "hour"];
  return intl.formatNumber(value, { style: "unit", unit, unitDisplay: "long" });
}

/**
 * A problem in the reader's language. Known codes have their own text, with the wait or limit
 * they carry; a code this client does not know gets a generic text naming it, so a newer
 * server's refusal is still shown as a refusal.
 */
export function problemText(intl: IntlShape, problem: Problem): string {
  const text = (id: MessageId, values?: Record<string, string | number>) =>
    intl.formatMessage({ id }, values);
  const wait = problem.retryAfterMs === undefined ? undefined : formatWait(intl, problem.retryAfterMs);
  switch (problem.code) {
    case "rate_limited":
      if (problem.reason === "rooms_per_day" && wait)
        return text("problem.rate_limited.rooms_per_day", { wait });
      return wait ? text("problem.rate_limited.wait", { wait }) : text("problem.rate_limited");
    case "unavailable":
      return wait ? text("problem.unavailable.wait", { wait }) : text("problem.unavailable");
    case "message_too_long":
      // The server's frame does not repeat the limit; the protocol's is the one it enforces.
      return problem.max !== undefined && problem.length !== undefined
        ? text("problem.message_too_long.measured", { max: problem.max, length: problem.length })
        : text("problem.message_too_long", { max: problem.max ?? MAX_MESSAGE_LENGTH });
    case "http_error":
      return text("problem.http_error", { status: problem.status ?? 0 });
    // files (issue 16): the browser knows the server's limit before it sends a byte.
    case "file_too_large":
      return problem.max === undefined
        ? text("problem.file_too_large")
        : text("problem.file_too_large.max", {
            max: intl.formatNumber(problem.max / (1024 * 1024), {
              style: "unit",
              unit: "megabyte",
              maximumFractionDigits: 1,
            }),
          });
    case "quota_exceeded":
      return wait ? text("problem.quota_exceeded.wait", { wait }) : text("problem.quota_exceeded");
    case "bad_search": {
      // The reason says what to fix; a reason this client does not know gets the general text.
      const reason = problem.reason === undefined ? null : ownText(`bad_search.${problem.reason}`);
      return text(reason ?? "problem.bad_search");
    }
  }
  const own = ownText(problem.code);
  return own ? text(own) : text("problem.unknown", { code: problem.code });
}

/** A room's error, with what was being done when it happened. */
export function roomErrorText(intl: IntlShape, error: RoomError): string {
  const reason = problemText(intl, error.problem);
  if (error.during === "load_older")
    return intl.formatMessage({ id: "problem.during.load_older" }, { reason });
  if (error.during === "open_message")
    return intl.formatMessage({ id: "problem.during.open_message" }, { reason });
  return reason;
}

/** `describe(problem)`: a problem as text in the current language. */
export function useProblemText(): (problem: Problem) => string {
  const intl = useIntl();
  return useCallback((problem) => problemText(intl, problem), [intl]);
}

export function useRoomErrorText(): (error: RoomError) => string {
  const intl = useIntl();
  return useCallback((error) => roomErrorText(intl, error), [intl]);
}
