import { MAX_MESSAGE_LENGTH } from "@parley/protocol";

export type MessageRuleViolation = { code: "message_empty" | "message_too_long"; message: string };

/** Returns why a message body may not be sent, or null when it may. */
export function checkMessageBody(body: string): MessageRuleViolation | null {
  if (body.trim().length === 0) return { code: "message_empty", message: "The message is empty." };
  if (body.length > MAX_MESSAGE_LENGTH) {
    return {
      code: "message_too_long",
      message: `The message is ${body.length} characters long; the limit is ${MAX_MESSAGE_LENGTH}.`,
    };
  }
  return null;
}
