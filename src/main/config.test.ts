import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";

const base = () => ({ NODE_ENV: "test", DATA_DIR: mkdtempSync(join(tmpdir(), "parley-config-")) });

describe("limit settings", () => {
  it("defaults to 10 messages per second with bursts of 30 and 20 rooms per day", () => {
    expect(loadConfig(base()).limits).toEqual({
      messageRatePerSecond: 10,
      messageBurst: 30,
      roomsPerDay: 20,
    });
  });

  it("reads the variables and refuses a burst below the rate or a limit of zero", () => {
    const env = { ...base(), MESSAGE_RATE_PER_SECOND: "2", MESSAGE_BURST: "4", ROOMS_PER_DAY: "3" };
    expect(loadConfig(env).limits).toEqual({ messageRatePerSecond: 2, messageBurst: 4, roomsPerDay: 3 });
    expect(() => loadConfig({ ...base(), MESSAGE_RATE_PER_SECOND: "10", MESSAGE_BURST: "5" })).toThrow(
      /MESSAGE_BURST must be at least MESSAGE_RATE_PER_SECOND/,
    );
    expect(() => loadConfig({ ...base(), ROOMS_PER_DAY: "0" })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base(), MESSAGE_RATE_PER_SECOND: "fast" })).toThrow(
      /MESSAGE_RATE_PER_SECOND/,
    );
  });
});
