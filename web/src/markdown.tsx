import MarkdownIt, { type Token } from "markdown-it";
import { createElement, Fragment, type ReactNode } from "react";

/**
 * The small markdown subset messages may use: bold, italic, strike, inline code, fenced code,
 * quotes, lists and links. Everything else (headings, tables, images, raw HTML, entities) is
 * left as the text that was typed. markdown-it parses; its tokens become React elements here, so
 * no HTML string is ever built or inserted (decision 0021).
 */
const parser = new MarkdownIt("zero", { html: false, linkify: true, breaks: false }).enable([
  "blockquote",
  "list",
  "fence",
  "newline",
  "escape",
  "backticks",
  "strikethrough",
  "emphasis",
  "link",
  "autolink",
  "linkify",
]);
// "example.com" staying text is less surprising in chat than a guessed http:// link.
parser.linkify.set({ fuzzyLink: false, fuzzyIP: false });

const SAFE_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);

/** Only absolute http, https and mailto URLs become links; javascript:, data:, relative… stay text. */
export function isSafeHref(href: string): boolean {
  try {
    return SAFE_PROTOCOLS.has(new URL(href).protocol);
  } catch {
    return false;
  }
}
parser.validateLink = isSafeHref;

/** The elements a token may become; any other tag renders its children only. */
const ALLOWED_TAGS = new Set(["p", "strong", "em", "s", "code", "pre", "blockquote", "ul", "ol", "li", "a"]);

export const LINK_REL = "noopener noreferrer nofollow";

interface Frame {
  token: Token | null;
  children: ReactNode[];
}

function element(token: Token, key: number, children: ReactNode[]): ReactNode {
  if (token.hidden || !ALLOWED_TAGS.has(token.tag)) return createElement(Fragment, { key }, ...children);
  if (token.tag === "a") {
    const href = token.attrGet("href");
    // validateLink already refused these; checked again because this is the last gate.
    if (typeof href !== "string" || !isSafeHref(href)) return createElement(Fragment, { key }, ...children);
    return createElement("a", { key, href, target: "_blank", rel: LINK_REL }, ...children);
  }
  if (token.tag === "ol") {
    const start = Number(token.attrGet("start") ?? 1);
    return createElement("ol", { key, start: Number.isFinite(start) ? start : undefined }, ...children);
  }
  return createElement(token.tag, { key }, ...children);
}

/** Turns plain text into elements (mention highlighting); code spans and blocks are never decorated. */
export type DecorateText = (text: string, key: number) => ReactNode;

function leaf(token: Token, key: number, decorate: DecorateText | undefined): ReactNode {
  switch (token.type) {
    case "inline":
      return createElement(Fragment, { key }, ...render(token.children ?? [], decorate));
    case "text":
      return decorate ? decorate(token.content, key) : token.content;
    case "softbreak":
      // Shown as a line break by white-space: pre-wrap; copies as a newline.
      return "\n";
    case "hardbreak":
      return createElement("br", { key });
    case "code_inline":
      return createElement("code", { key }, token.content);
    case "fence":
    case "code_block":
      return createElement("pre", { key }, createElement("code", null, token.content.replace(/\n$/, "")));
    default:
      return token.content || null;
  }
}

function render(tokens: readonly Token[], decorate?: DecorateText): ReactNode[] {
  const stack: Frame[] = [{ token: null, children: [] }];
  tokens.forEach((token, index) => {
    const top = stack[stack.length - 1] as Frame;
    if (token.nesting === 1) {
      stack.push({ token, children: [] });
    } else if (token.nesting === -1) {
      const frame = stack.length > 1 ? (stack.pop() as Frame) : null;
      if (!frame?.token) return;
      (stack[stack.length - 1] as Frame).children.push(element(frame.token, index, frame.children));
    } else {
      top.children.push(leaf(token, index, decorate));
    }
  });
  // Unclosed frames (not produced by markdown-it, but cheap to be safe about) keep their content.
  while (stack.length > 1) {
    const frame = stack.pop() as Frame;
    (stack[stack.length - 1] as Frame).children.push(...frame.children);
  }
  return (stack[0] as Frame).children;
}

/** A message body as React elements; `decorate` (notify slice) highlights mentions in its text. */
export function renderMarkdown(source: string, decorate?: DecorateText): ReactNode[] {
  return render(parser.parse(source, {}), decorate);
}
