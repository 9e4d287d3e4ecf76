import { nameToEmoji } from "gemoji";

/** Names for the ids Slack writes into message text (`<@U…>`, `<#C…>`). */
export interface SlackNames {
  /** The display name of a Slack user id, when the export knows it. */
  user(id: string): string | undefined;
  /** The name of a Slack channel id, when the export knows it. */
  channel(id: string): string | undefined;
}

// Private-use characters never typed in chat: they hold the place of a converted <…> token
// while the emphasis rules run, so a URL's underscores or a name's asterisks stay as they are.
const HOLD_START = "\uE000";
const HOLD_END = "\uE001";
const HELD = /\uE000(\d+)\uE001/g;

/** Code spans and blocks: their text is shown as written, so no emphasis rule touches it. */
const CODE = /```[\s\S]*?```|`[^`\n]+`/g;
const TOKEN = /<([^<>\n]+)>/g;

/**
 * Emphasis as Slack marks it: the marker hugs the text (no space inside) and is not part of a
 * word of ASCII letters or digits (so snake_case, 2*3*4 and URLs stay). Japanese and other
 * scripts may touch it, as Slack renders `これは*太字*です` bold.
 */
const EMPHASIS = /(?<![A-Za-z0-9*_~\\])([*_~])(?=\S)([^\n]*?[^\s\\])\1(?![A-Za-z0-9*_~])/g;
const MARKDOWN_OF: Record<string, string> = { "*": "**", _: "*", "~": "~~" };

/**
 * Slack's `:name:` emoji codes, by GitHub's names (gemoji: Slack's standard set uses the same
 * ones), with Slack's skin tones as the Unicode modifiers. A workspace's custom emoji (and a time
 * like 10:30:00) stay as written.
 */
const EMOJI_CODE = /:([a-z0-9_+'-]+):(?::skin-tone-([2-6]):)?/g;

function emoji(text: string): string {
  return text.replace(EMOJI_CODE, (match, name: string, tone: string | undefined) => {
    const found = nameToEmoji[name];
    if (!found) return match;
    return tone ? `${found}${String.fromCodePoint(0x1f3fb + Number(tone) - 2)}` : found;
  });
}

/** Slack escapes only these three in message text. */
function decodeEntities(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** Text inside a link's brackets, with the characters that would end or nest it escaped. */
function linkText(text: string): string {
  return text.replace(/[[\]\\]/g, (c) => `\\${c}`);
}

/** A link destination that cannot end early: spaces and parentheses percent-encoded. */
function linkTarget(url: string): string {
  return url.replace(/[ ()<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** One `<…>` token of Slack's markup as our markdown. */
function token(inner: string, names: SlackNames): string {
  const bar = inner.indexOf("|");
  const target = bar === -1 ? inner : inner.slice(0, bar);
  const label = bar === -1 ? undefined : decodeEntities(inner.slice(bar + 1));
  if (target.startsWith("@")) {
    const id = target.slice(1);
    return `@${names.user(id) ?? label?.replace(/^@/, "") ?? id}`;
  }
  if (target.startsWith("#")) {
    const id = target.slice(1);
    return `#${names.channel(id) ?? label?.replace(/^#/, "") ?? id}`;
  }
  if (target.startsWith("!")) {
    const command = target.slice(1);
    if (command === "here" || command === "channel" || command === "everyone") return `@${command}`;
    // <!subteam^S1|@design>, <!date^1392734382^{date}|Feb 18th>: the label is what Slack showed.
    return label ?? `@${command.split("^")[0]}`;
  }
  const url = decodeEntities(target);
  if (!/^(https?|mailto|ftp):/i.test(url)) return label ?? url;
  return label && label !== url ? `[${linkText(label)}](${linkTarget(url)})` : `<${linkTarget(url)}>`;
}

function emphasis(text: string): string {
  return text.replace(
    EMPHASIS,
    (_match, marker: string, inner: string) =>
      `${MARKDOWN_OF[marker] ?? marker}${emphasis(inner)}${MARKDOWN_OF[marker] ?? marker}`,
  );
}

function prose(text: string, names: SlackNames): string {
  const held: string[] = [];
  const hold = (value: string) => `${HOLD_START}${held.push(value) - 1}${HOLD_END}`;
  const withTokens = text.replace(TOKEN, (_match, inner: string) => hold(token(inner, names)));
  const converted = emphasis(emoji(decodeEntities(withTokens)));
  return converted.replace(HELD, (_match, index: string) => held[Number(index)] ?? "");
}

/** In code, links are shown as their address (or label), and nothing else changes. */
function code(text: string): string {
  return decodeEntities(
    text.replace(TOKEN, (_match, inner: string) => {
      const bar = inner.indexOf("|");
      return bar === -1 ? inner : inner.slice(0, bar);
    }),
  );
}

/**
 * Slack's message markup ("mrkdwn") as Parley's markdown: `<@U1>` → `@name`, `<#C1|x>` → `#x`,
 * `<url|text>` → `[text](url)`, `*bold*` → `**bold**`, `_italic_` → `*italic*`,
 * `~strike~` → `~~strike~~`, `:tada:` → 🎉, and Slack's three HTML entities decoded. Code is left
 * as written.
 */
export function mrkdwnToMarkdown(text: string, names: SlackNames): string {
  let result = "";
  let last = 0;
  for (const match of text.matchAll(CODE)) {
    result += prose(text.slice(last, match.index), names) + code(match[0]);
    last = match.index + match[0].length;
  }
  return result + prose(text.slice(last), names);
}
