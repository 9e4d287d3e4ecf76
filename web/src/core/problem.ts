import type { ErrorFrame } from "@parley/protocol";
import { z } from "zod";

/**
 * What went wrong, as a code and the numbers a text needs, never as text: the UI words it in
 * the reader's language (web/src/i18n/problem-text.ts). `code` is either one of the client's
 * own codes below or the server's code as it came (an error frame's `code`, a REST body's
 * `error`), so a code the UI does not know still reaches it and gets a generic text.
 */
export const Problem = z.object({
  code: z.string().min(1),
  /** The server's wait (Retry-After, `retryAfter`), in ms, when it gave one. */
  retryAfterMs: z.number().nonnegative().optional(),
  /** The HTTP status of a REST refusal. */
  status: z.number().int().optional(),
  /** A finer reason the server gave next to the code (a 429's `reason`, say). */
  reason: z.string().optional(),
  /** A limit that was exceeded, and by how much (message_too_long). */
  max: z.number().optional(),
  length: z.number().optional(),
});
export type Problem = z.infer<typeof Problem>;

/** Codes the client makes itself; the server's codes are in the protocol (ErrorCode) and docs/protocol.md. */
export const CLIENT_CODES = {
  /** The request did not reach the server (no network, server down, blocked). */
  offline: "offline",
  /** The server answered with something the protocol's schemas do not accept. */
  badResponse: "bad_response",
  /** An HTTP error without a code of ours in the body (a proxy's 502, say); `status` says which. */
  httpError: "http_error",
  /** The user acted before the app had loaded who they are. */
  notReady: "not_ready",
  /** Nothing to send. */
  messageEmpty: "message_empty",
  /** Longer than MAX_MESSAGE_LENGTH; `max` and `length` are set when the client measured it. */
  messageTooLong: "message_too_long",
  /** A refusal whose code was not kept (stored by an older version of the client). */
  refused: "refused",
  /** A failure that is not a refusal at all: a bug of ours. */
  unexpected: "unexpected",
} as const;

/** A problem the client found itself. */
export function clientProblem(
  code: (typeof CLIENT_CODES)[keyof typeof CLIENT_CODES],
  details: Omit<Problem, "code"> = {},
): Problem {
  return { code, ...details };
}

/** A refusal frame, as a problem: the frame's `message` is for logs and is not kept. */
export function problemFromFrame(frame: ErrorFrame): Problem {
  return frame.retryAfter === undefined
    ? { code: frame.code }
    : { code: frame.code, retryAfterMs: frame.retryAfter };
}

/** A stored outbox entry written before problems had codes held English text; it is kept, with a generic code. */
export const StoredProblem = z.union([
  Problem,
  z.string().transform((): Problem => ({ code: CLIENT_CODES.refused })),
]);
