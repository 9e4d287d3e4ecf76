import { MAX_MESSAGE_LENGTH } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import type { SlackNames } from "./mrkdwn.js";
import { convertSlackMessage, type ThreadParents } from "./slack-message.js";

const names: SlackNames = { user: (id) => ({ U1: "Ada" })[id], channel: () => undefined };
const convert = (message: Parameters<typeof convertSlackMessage>[0], threads: ThreadParents = new Map()) =>
  convertSlackMessage(message, names, threads);

describe("a Slack message as Parley messages", () => {
  it("leaves out channel events and messages with nothing to show", () => {
    expect(
      convert({ ts: "1.000001", subtype: "channel_join", user: "U1", text: "<@U1> has joined" }),
    ).toEqual({
      kind: "event",
    });
    expect(convert({ ts: "1.000002", user: "U1", text: "  \u0007 " })).toEqual({ kind: "empty" });
  });

  it("quotes the first line of a thread's start above each reply, or says it is a reply", () => {
    const threads: ThreadParents = new Map();
    convert({ ts: "10.0", thread_ts: "10.0", user: "U1", text: `*Plan*\nmore ${"x".repeat(10)}` }, threads);
    expect(convert({ ts: "11.0", thread_ts: "10.0", user: "U2", text: "ok" }, threads)).toEqual({
      kind: "bodies",
      bodies: ["> @Ada: **Plan**\n\nok"],
    });
    expect(convert({ ts: "12.0", thread_ts: "9.0", user: "U2", text: "late" }, threads)).toEqual({
      kind: "bodies",
      bodies: ["> (a reply in a thread)\n\nlate"],
    });
    // A deleted start leaves a tombstone: its replies still say what they answer.
    convert(
      { ts: "13.0", thread_ts: "13.0", subtype: "tombstone", text: "This message was deleted." },
      threads,
    );
    expect(convert({ ts: "14.0", thread_ts: "13.0", user: "U1", text: "still here" }, threads)).toEqual({
      kind: "bodies",
      bodies: ["> (deleted)\n\nstill here"],
    });
  });

  it("links files and falls back to an attachment's text", () => {
    expect(
      convert({
        ts: "1.0",
        user: "U1",
        text: "",
        files: [
          { name: "a b.png", permalink: "https://x.slack.com/files/a b (1).png" },
          { title: "[draft]", url_private: "https://files.slack.com/d" },
          { name: "gone.txt" },
        ],
      }),
    ).toEqual({
      kind: "bodies",
      bodies: [
        "📎 [a b.png](https://x.slack.com/files/a%20b%20%281%29.png)\n📎 [\\[draft\\]](https://files.slack.com/d)\n📎 gone.txt",
      ],
    });
    expect(
      convert({ ts: "2.0", user: "U1", text: "", attachments: [{ fallback: "*Build* passed" }] }),
    ).toEqual({
      kind: "bodies",
      bodies: ["**Build** passed"],
    });
  });

  it("splits a message longer than the limit at a line break, keeping every character", () => {
    const line = `${"あ".repeat(99)}\n`;
    const text = line.repeat(90);
    const result = convert({ ts: "1.0", user: "U1", text });
    if (result.kind !== "bodies") throw new Error("expected bodies");
    expect(result.bodies.length).toBe(3);
    for (const body of result.bodies) expect(body.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
    expect(result.bodies.join("\n")).toBe(text.trimEnd());
  });

  it("never cuts a surrogate pair when a long message has no break", () => {
    const text = "😀".repeat(MAX_MESSAGE_LENGTH);
    const result = convert({ ts: "1.0", user: "U1", text });
    if (result.kind !== "bodies") throw new Error("expected bodies");
    expect(result.bodies.join("")).toBe(text);
    for (const body of result.bodies) {
      expect(body.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
      expect(body).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    }
  });

  it("removes control characters and keeps line breaks as newlines", () => {
    expect(convert({ ts: "1.0", user: "U1", text: "a\r\nb\u0000c\u009bd\te" })).toEqual({
      kind: "bodies",
      bodies: ["a\nbcd\te"],
    });
  });
});
