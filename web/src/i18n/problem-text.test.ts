import { ErrorCode } from "@parley/protocol";
import { createIntl } from "react-intl";
import { describe, expect, it } from "vitest";
import { CLIENT_CODES } from "../core/index.js";
import { en } from "./messages-en.js";
import { ja } from "./messages-ja.js";
import { problemText, roomErrorText } from "./problem-text.js";

const english = createIntl({ locale: "en", messages: en });
const japanese = createIntl({ locale: "ja", messages: ja });

/** Codes the REST API answers with (src/http) besides the socket's ErrorCode. */
const REST_CODES = [
  "room_name_taken",
  "rate_limited",
  "bad_request",
  "not_found",
  "unavailable",
  "forbidden_origin",
  "sign_out_failed",
  "session_store_unavailable",
];

describe("problems in the reader's language", () => {
  it("has its own text, in both languages, for every code the server or the client makes", () => {
    for (const code of [...ErrorCode.options, ...REST_CODES, ...Object.values(CLIENT_CODES)]) {
      // Not the fallback for an unknown code, which names the code in a generic sentence.
      for (const intl of [english, japanese]) {
        const fallback = intl.formatMessage({ id: "problem.unknown" }, { code });
        expect(problemText(intl, { code, status: 400 }), `${intl.locale} ${code}`).not.toBe(fallback);
      }
      expect(problemText(japanese, { code, status: 400 }), code).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    }
  });

  it("says how long to wait, in the reader's language and units", () => {
    const slow = { code: "rate_limited", retryAfterMs: 4200 };
    expect(problemText(english, slow)).toBe("Too many requests; try again in 5 seconds.");
    expect(problemText(japanese, slow)).toBe("操作が速すぎます。5 秒後にもう一度お試しください。");
    const daily = { code: "rate_limited", reason: "rooms_per_day", retryAfterMs: 3 * 3600_000 };
    expect(problemText(english, daily)).toMatch(/try again in 3 hours\.$/);
    expect(problemText(japanese, daily)).toMatch(/3 時間後/);
    expect(problemText(english, { code: "unavailable", retryAfterMs: 120_000 })).toMatch(/in 2 minutes\.$/);
    // A quota refusal waits for unsent uploads to expire; without a wait, only deleting helps.
    const full = { code: "quota_exceeded", status: 413, retryAfterMs: 20 * 3600_000 };
    expect(problemText(english, full)).toMatch(/try again in 20 hours, when files you uploaded/);
    expect(problemText(japanese, full)).toMatch(/20 時間後/);
    expect(problemText(english, { code: "quota_exceeded", status: 413 })).not.toMatch(/try again/);
  });

  it("fills in limits with the reader's number format", () => {
    const long = { code: "message_too_long", max: 4000, length: 4001 };
    expect(problemText(english, long)).toBe("Messages can be at most 4,000 characters (this one has 4,001).");
    expect(problemText(japanese, long)).toBe(
      "メッセージは 4,000 文字までです (このメッセージは 4,001 文字あります)。",
    );
  });

  it("words a code it does not know generically, naming the code", () => {
    expect(problemText(english, { code: "from_a_newer_server" })).toBe(
      "The server refused the request (from_a_newer_server).",
    );
    expect(problemText(japanese, { code: "from_a_newer_server" })).toBe(
      "サーバーにリクエストを拒否されました (from_a_newer_server)。",
    );
    expect(problemText(english, { code: "http_error", status: 502 })).toMatch(/HTTP 502/);
  });

  it("says what was being done when a room's error came from loading history", () => {
    const error = { during: "load_older" as const, problem: { code: "offline" } };
    expect(roomErrorText(japanese, error)).toBe(
      "以前のメッセージを読み込めませんでした: サーバーに接続できません。ネットワーク接続を確認してください。",
    );
  });
});
