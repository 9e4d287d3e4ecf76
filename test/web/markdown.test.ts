import { createElement, Fragment } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { isSafeHref, renderMarkdown } from "../../web/src/markdown.js";

/** The message body as the browser would get it (React elements serialised by React itself). */
function html(source: string): string {
  return renderToStaticMarkup(createElement(Fragment, null, ...renderMarkdown(source)));
}

describe("message markdown", () => {
  it("renders the subset: bold, italic, strike, inline code, code blocks, quotes, lists", () => {
    expect(html("**b** *i* _i_ ~~s~~ `c`")).toBe(
      "<p><strong>b</strong> <em>i</em> <em>i</em> <s>s</s> <code>c</code></p>",
    );
    expect(html("```\nconst x = 1 < 2;\n```")).toBe("<pre><code>const x = 1 &lt; 2;</code></pre>");
    expect(html("> quoted")).toBe("<blockquote><p>quoted</p></blockquote>");
    expect(html("- one\n- two")).toBe("<ul><li>one</li><li>two</li></ul>");
    expect(html("3. three\n4. four")).toBe('<ol start="3"><li>three</li><li>four</li></ol>');
  });

  it("keeps a single newline as a newline and everything outside the subset as typed", () => {
    expect(html("first line\nsecond line")).toBe("<p>first line\nsecond line</p>");
    expect(html("# not a heading")).toBe("<p># not a heading</p>");
    expect(html("| a | b |\n|---|---|")).toBe("<p>| a | b |\n|---|---|</p>");
    expect(html("![img](https://example.com/x.png)")).toBe(
      '<p>!<a href="https://example.com/x.png" target="_blank" rel="noopener noreferrer nofollow">img</a></p>',
    );
    expect(html("&lt;b&gt;")).toBe("<p>&amp;lt;b&amp;gt;</p>");
  });

  it("shows raw HTML as text", () => {
    const payload = `<img src=x onerror="alert(1)"><script>alert(2)</script>`;
    expect(html(payload)).toBe(
      "<p>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;</p>",
    );
  });

  it("links http, https and mailto only, each opening safely in a new tab", () => {
    const rel = 'target="_blank" rel="noopener noreferrer nofollow"';
    expect(html("[site](https://example.com/a?b=1)")).toBe(
      `<p><a href="https://example.com/a?b=1" ${rel}>site</a></p>`,
    );
    expect(html("see http://example.com.")).toBe(
      `<p>see <a href="http://example.com" ${rel}>http://example.com</a>.</p>`,
    );
    expect(html("<mailto:ada@example.com>")).toBe(
      `<p><a href="mailto:ada@example.com" ${rel}>mailto:ada@example.com</a></p>`,
    );
    for (const source of [
      "[x](javascript:alert(1))",
      "[x](JaVaScRiPt:alert(1))",
      "[x](java\tscript:alert(1))",
      "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
      "[x](vbscript:msgbox)",
      "[x](/relative/path)",
      "<javascript:alert(1)>",
      "[[a](https://a.example)](javascript:alert(1))",
      "[x](<javascript:alert(1)>)",
      "[x]( javascript:alert(1))",
      "[x](&#106;avascript:alert(1))",
    ]) {
      const rendered = html(source);
      expect(rendered, source).not.toMatch(/href="(?!https?:|mailto:)/i);
      expect(rendered, source).not.toMatch(/<a [^>]*href="[^"]*javascript/i);
    }
    // The inner, safe link of nested brackets survives; the outer javascript: one does not.
    expect(html("[[a](https://a.example)](javascript:alert(1))")).toBe(
      `<p>[<a href="https://a.example" ${rel}>a</a>](javascript:alert(1))</p>`,
    );
  });

  it("keeps quotes inside an autolink inside the href attribute", () => {
    const rendered = html('<https://example.com/"onmouseover="alert(1)>');
    expect(rendered).toMatch(
      /^<p><a href="https:\/\/example.com\/%22onmouseover=%22alert\(1\)" target="_blank"/,
    );
    expect(rendered).not.toContain(' onmouseover="');
  });

  it("accepts only absolute http, https and mailto URLs", () => {
    expect(isSafeHref("https://example.com")).toBe(true);
    expect(isSafeHref("mailto:a@example.com")).toBe(true);
    expect(isSafeHref("javascript:alert(1)")).toBe(false);
    expect(isSafeHref("data:text/html,hi")).toBe(false);
    expect(isSafeHref("//example.com")).toBe(false);
    expect(isSafeHref("ftp://example.com")).toBe(false);
  });
});
