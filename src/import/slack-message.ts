import { MAX_MESSAGE_LENGTH } from "@parley/protocol";
import { mrkdwnToMarkdown, type SlackNames } from "./mrkdwn.js";
import type { SlackMessage } from "./slack-files.js";

/** Slack's events in a channel that are not someone saying something. */
const EVENT_SUBTYPES = new Set([
  "channel_join",
  "channel_leave",
  "channel_topic",
  "channel_purpose",
  "channel_name",
  "channel_archive",
  "channel_unarchive",
  "group_join",
  "group_leave",
  "group_topic",
  "group_purpose",
  "group_name",
  "group_archive",
  "group_unarchive",
  "pinned_item",
  "unpinned_item",
  "bot_add",
  "bot_remove",
  "tombstone",
]);

/** Characters of a thread's first message quoted above each reply. */
const QUOTE_LENGTH = 120;

/** What a reply quotes of the message that started its thread: who, and its first line. */
export interface ThreadParent {
  author: string;
  text: string;
}

/** A channel's thread starts met so far, by their Slack ts (only starts are kept, not every message). */
export type ThreadParents = Map<string, ThreadParent>;

/**
 * What a Slack message becomes here: nothing, for an event (a join, a topic change) or a message
 * with nothing to show; else one body, or several when it is longer than a message may be.
 */
export type ConvertedMessage = { kind: "event" } | { kind: "empty" } | { kind: "bodies"; bodies: string[] };

/**
 * One Slack message as message bodies in Parley's markdown: its text converted (mrkdwn.ts), a
 * reply opened with a quote of its thread's first message, legacy attachments' fallback text
 * when there is no text, and files as links. Remembers thread starts in `threads`, in the
 * channel's time order.
 */
export function convertSlackMessage(
  message: SlackMessage,
  names: SlackNames,
  threads: ThreadParents,
): ConvertedMessage {
  const text = mrkdwnToMarkdown(message.text ?? "", names);
  if (message.thread_ts === message.ts || message.subtype === "tombstone") {
    threads.set(message.ts, {
      author: authorName(message, names),
      text: message.subtype === "tombstone" ? "(deleted)" : firstLine(text),
    });
  }
  if (message.subtype && EVENT_SUBTYPES.has(message.subtype)) return { kind: "event" };
  const parts: string[] = [];
  if (text.trim()) parts.push(text);
  else {
    const attached = (message.attachments ?? []).map((a) => a.fallback ?? a.text ?? "").filter(Boolean);
    if (attached.length > 0) parts.push(mrkdwnToMarkdown(attached.join("\n"), names));
  }
  const files = (message.files ?? []).map(fileLink).join("\n");
  if (files) parts.push(files);
  const body = storable(parts.join("\n\n"));
  if (!body.trim()) return { kind: "empty" };
  const reply = message.thread_ts !== undefined && message.thread_ts !== message.ts;
  const quoted = reply ? `${storable(quote(threads.get(message.thread_ts ?? "")))}\n\n${body}` : body;
  return { kind: "bodies", bodies: pieces(quoted) };
}

function authorName(message: SlackMessage, names: SlackNames): string {
  const profile = message.user_profile;
  const fromProfile = profile?.display_name || profile?.real_name || profile?.name;
  if (message.user) return names.user(message.user) ?? fromProfile ?? message.user;
  return message.username ?? "";
}

function quote(parent: ThreadParent | undefined): string {
  if (!parent) return "> (a reply in a thread)";
  return `> ${parent.author ? `@${parent.author}: ` : ""}${parent.text}`;
}

function fileLink(file: NonNullable<SlackMessage["files"]>[number]): string {
  const url = file.permalink ?? file.url_private;
  const name = (file.title || file.name || "file").replace(/[[\]\\]/g, (c) => `\\${c}`);
  // encodeURIComponent leaves parentheses as they are: they would end the link early.
  const target = url?.replace(/[ ()<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return target ? `📎 [${name}](${target})` : `📎 ${name}`;
}

function firstLine(text: string): string {
  const line = (text.split("\n").find((l) => l.trim()) ?? "").trim();
  const chars = [...line];
  return chars.length > QUOTE_LENGTH ? `${chars.slice(0, QUOTE_LENGTH).join("")}…` : line;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The control characters no message may hold: all but tab and newline (the protocol's rule). */
function isControl(code: number): boolean {
  return (code < 0x20 && code !== 0x09 && code !== 0x0a) || (code >= 0x7f && code <= 0x9f);
}

/** Text every database keeps as written: line breaks as \n, no control characters, no lone surrogates. */
function storable(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(LONE_SURROGATE, "\uFFFD")
    .split("")
    .filter((c) => !isControl(c.charCodeAt(0)))
    .join("");
}

/** A body past the length limit as consecutive messages, cut at a line break or space when there is one. */
function pieces(body: string): string[] {
  const result: string[] = [];
  let rest = body;
  while (rest.length > MAX_MESSAGE_LENGTH) {
    let cut = rest.lastIndexOf("\n", MAX_MESSAGE_LENGTH);
    if (cut < MAX_MESSAGE_LENGTH / 2) cut = rest.lastIndexOf(" ", MAX_MESSAGE_LENGTH);
    if (cut < MAX_MESSAGE_LENGTH / 2) cut = MAX_MESSAGE_LENGTH;
    // Never between the halves of a surrogate pair.
    if (/[\uD800-\uDBFF]/.test(rest.charAt(cut - 1))) cut--;
    const piece = rest.slice(0, cut).trimEnd();
    if (piece) result.push(piece);
    rest = rest.slice(cut).replace(/^\s+/, "");
  }
  if (rest.trim()) result.push(rest.trimEnd());
  return result;
}
