/**
 * Per-person limits high enough that tests of other things (bursts of hundreds of sends from one
 * person, many rooms) never meet them. Tests of the limits set their own values over these.
 */
export const LIMITS_OUT_OF_THE_WAY: Record<string, string> = {
  MESSAGE_RATE_PER_SECOND: "1000000",
  MESSAGE_BURST: "1000000",
  ROOMS_PER_DAY: "1000000",
  MESSAGE_CHANGES_PER_MINUTE: "1000000",
};
