import { type MessageBodyProblem, messageBodyProblem } from "@parley/protocol";

export type MessageRuleViolation = MessageBodyProblem;

/** Returns why a message body may not be sent, or null when it may (the protocol's rule, shared with the browser). */
export function checkMessageBody(body: string): MessageRuleViolation | null {
  return messageBodyProblem(body);
}
