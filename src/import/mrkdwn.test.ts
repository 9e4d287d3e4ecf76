import { describe, expect, it } from "vitest";
import { mrkdwnToMarkdown, type SlackNames } from "./mrkdwn.js";

const names: SlackNames = {
  user: (id) => ({ U1: "Ada", U2: "佐藤" })[id],
  channel: (id) => ({ C1: "general", C2: "開発" })[id],
};
const convert = (text: string) => mrkdwnToMarkdown(text, names);

describe("Slack mrkdwn to markdown", () => {
  it("names people and channels", () => {
    expect(convert("<@U1> and <@U2> see <#C1|general> and <#C2>")).toBe(
      "@Ada and @佐藤 see #general and #開発",
    );
    expect(convert("ask <@U9|ghost> or <@U8>")).toBe("ask @ghost or @U8");
    expect(convert("<!here> <!channel> <!subteam^S1|@design> <!date^1392734382^{date}|Feb 18th>")).toBe(
      "@here @channel @design Feb 18th",
    );
  });

  it("turns links into markdown links, keeping their addresses whole", () => {
    expect(convert("see <https://example.com/a_b_c?x=1&amp;y=2|the *docs*>")).toBe(
      "see [the *docs*](https://example.com/a_b_c?x=1&y=2)",
    );
    expect(convert("<https://example.com/snake_case_path>")).toBe("<https://example.com/snake_case_path>");
    expect(convert("<mailto:ada@example.com|ada@example.com>")).toBe(
      "[ada@example.com](mailto:ada@example.com)",
    );
    expect(convert("<https://example.com/(x)|a [b]>")).toBe("[a \\[b\\]](https://example.com/%28x%29)");
  });

  it("converts bold, italic and strike, nested too, in English and Japanese", () => {
    expect(convert("*bold* _italic_ ~gone~")).toBe("**bold** *italic* ~~gone~~");
    expect(convert("*_both_*")).toBe("***both***");
    expect(convert("これは*太字*で_斜体_です")).toBe("これは**太字**で*斜体*です");
  });

  it("leaves words, arithmetic and lone markers alone", () => {
    expect(convert("snake_case_name and 2*3*4 and * not bold *")).toBe(
      "snake_case_name and 2*3*4 and * not bold *",
    );
  });

  it("decodes Slack's entities and leaves code as written", () => {
    expect(convert("a &lt;b&gt; &amp; c")).toBe("a <b> & c");
    expect(convert("run `rm *tmp*` then ```\n*x* &lt;<https://e.com>\n```")).toBe(
      "run `rm *tmp*` then ```\n*x* <https://e.com\n```",
    );
  });

  it("turns Slack's emoji codes into emoji, with skin tones, and leaves custom ones and times", () => {
    expect(convert("OK :+1: :tada: :white_check_mark: :thumbsup::skin-tone-3:")).toBe("OK 👍 🎉 ✅ 👍🏼");
    expect(convert(":our-custom-logo: at 10:30:00 and `:tada:`")).toBe(
      ":our-custom-logo: at 10:30:00 and `:tada:`",
    );
  });
});
