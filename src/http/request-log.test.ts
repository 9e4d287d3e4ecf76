import { describe, expect, it } from "vitest";
import { requestLogFields } from "./request-log.js";

describe("the request log line", () => {
  it("drops the query string of auth routes, where OAuth codes travel", () => {
    const fields = requestLogFields({
      method: "GET",
      url: "/api/auth/callback/github?code=SECRETCODE&state=abc",
      ip: "203.0.113.9",
      host: "chat.example",
    });
    expect(JSON.stringify(fields)).not.toMatch(/SECRETCODE|abc/);
    expect(fields).toMatchObject({ url: "/api/auth/callback/github?…", remoteAddress: "203.0.113.9" });
  });

  it("keeps other URLs whole and never carries headers", () => {
    const fields = requestLogFields({
      method: "GET",
      url: "/api/rooms/r1/messages?before=10",
      ip: "127.0.0.1",
    });
    expect(fields.url).toBe("/api/rooms/r1/messages?before=10");
    expect(Object.keys(fields).sort()).toEqual(["host", "method", "remoteAddress", "remotePort", "url"]);
  });
});
