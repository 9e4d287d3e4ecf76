import { z } from "zod";
import { MAX_MESSAGE_LENGTH } from "./limits.js";

/** Why a message body may not be sent; the code is the error frame's code the server answers with. */
export interface MessageBodyProblem {
  code: "message_empty" | "message_too_long" | "message_invalid";
  message: string;
}

/**
 * True for the characters no message may hold: NUL and the other C0 controls except tab and
 * newline (so also carriage return: browsers send line breaks as newline), DEL, and the C1
 * controls. They have no visible meaning in chat, NUL is refused by PostgreSQL and kept by
 * SQLite, and terminal escapes could reach whoever reads logs or exports.
 */
function isForbiddenCharacter(code: number): boolean {
  return (code < 0x20 && code !== 0x09 && code !== 0x0a) || (code >= 0x7f && code <= 0x9f);
}

/** True when the text holds a character no stored text may hold (see isForbiddenCharacter) or a lone surrogate. */
export function hasForbiddenCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (isForbiddenCharacter(text.charCodeAt(i))) return true;
  return LONE_SURROGATE.test(text);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Returns why a message body may not be sent, or null when it may. The browser's composer uses it too. */
export function messageBodyProblem(body: string): MessageBodyProblem | null {
  if (body.trim().length === 0) return { code: "message_empty", message: "The message is empty." };
  if (body.length > MAX_MESSAGE_LENGTH) {
    return {
      code: "message_too_long",
      message: `The message is ${body.length} characters long; the limit is ${MAX_MESSAGE_LENGTH}.`,
    };
  }
  for (let i = 0; i < body.length; i++) {
    const code = body.charCodeAt(i);
    if (isForbiddenCharacter(code)) {
      return {
        code: "message_invalid",
        message: `The message holds a control character (U+${code.toString(16).toUpperCase().padStart(4, "0")}) at position ${i}; only tab and newline are allowed.`,
      };
    }
  }
  // A lone surrogate cannot be stored as UTF-8: the databases would keep U+FFFD instead.
  if (LONE_SURROGATE.test(body)) {
    return { code: "message_invalid", message: "The message is not well-formed Unicode (a lone surrogate)." };
  }
  return null;
}

/** A sendable message body, as a schema (for forms); the issue's `params.code` names the error code. */
export const MessageBody = z.string().superRefine((body, context) => {
  const problem = messageBodyProblem(body);
  if (problem) context.addIssue({ code: "custom", message: problem.message, params: { code: problem.code } });
});

/** The start of `body`, at most `length` code points (never half a surrogate pair), "…" when cut. */
export function bodyExcerpt(body: string, length: number): string {
  const points = Array.from(body);
  return points.length <= length ? body : `${points.slice(0, length).join("")}…`;
}
