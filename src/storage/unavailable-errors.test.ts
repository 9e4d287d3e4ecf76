import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "./unavailable-errors.js";
import { isUniqueViolation } from "./unique-violation.js";

const withCode = (code: string, message = "x") => Object.assign(new Error(message), { code });

describe("which database errors are outages", () => {
  it("counts lost and refused connections, timeouts and a locked SQLite as outages", () => {
    for (const error of [
      withCode("ECONNREFUSED"),
      withCode("PROTOCOL_SEQUENCE_TIMEOUT"),
      withCode("POOL_ACQUIRE_TIMEOUT"),
      Object.assign(new Error("Can't add new command when connection is in closed state"), { fatal: true }),
      withCode("08006"),
      withCode("57P01"),
      new Error("Query read timeout"),
      new Error("timeout exceeded when trying to connect"),
      new Error("Connection terminated unexpectedly"),
      withCode("SQLITE_BUSY"),
      withCode("SQLITE_IOERR_WRITE"),
    ]) {
      expect(isDatabaseUnavailable(error), String(error)).toBe(true);
    }
  });

  it("leaves refusals of a query (bugs, constraint violations) as they are", () => {
    for (const error of [
      withCode("23505"),
      withCode("ER_DUP_ENTRY"),
      withCode("SQLITE_CONSTRAINT_UNIQUE"),
      withCode("22003", "value out of range for type integer"),
      withCode("ER_PARSE_ERROR"),
      withCode("42P01", 'relation "nope" does not exist'),
      new Error("something else"),
      "a string",
      undefined,
    ]) {
      expect(isDatabaseUnavailable(error), String(error)).toBe(false);
    }
    expect(isUniqueViolation(withCode("23505"))).toBe(true);
  });
});
