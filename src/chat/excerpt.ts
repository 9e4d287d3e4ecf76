import { REPLY_EXCERPT_LENGTH } from "@parley/protocol";

/** The start of a quoted body (what a reply shows of the message it answers), cut between code points. */
export function excerptOf(body: string): string {
  const points = [...body];
  return points.length <= REPLY_EXCERPT_LENGTH ? body : `${points.slice(0, REPLY_EXCERPT_LENGTH).join("")}…`;
}
