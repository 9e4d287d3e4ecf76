/**
 * What the load generator puts in a message, and how it reads it back cheaply. The scheduled
 * send time travels inside the body, so every recipient measures from when the message
 * should have been sent, not from when a possibly late sender got round to it.
 */

const BODY_PREFIX = "bench|";
/** Makes a body about the length of a typical chat line. */
const FILLER = "the quick brown fox jumps over the lazy dog";

export function messageBody(step: number, scheduledUs: number): string {
  return `${BODY_PREFIX}${step}|${scheduledUs}|${FILLER}`;
}

export interface Stamp {
  step: number;
  scheduledUs: number;
}

/** The step and scheduled time of a body, or undefined if the body is not ours. */
export function readBody(body: string): Stamp | undefined {
  if (!body.startsWith(BODY_PREFIX)) return undefined;
  const stepEnd = body.indexOf("|", BODY_PREFIX.length);
  const timeEnd = body.indexOf("|", stepEnd + 1);
  if (stepEnd < 0 || timeEnd < 0) return undefined;
  return {
    step: Number(body.slice(BODY_PREFIX.length, stepEnd)),
    scheduledUs: Number(body.slice(stepEnd + 1, timeEnd)),
  };
}

/** Unique per author (Parley refuses a reused clientId as a duplicate) and carries the scheduled time for acks. */
export function clientIdFor(conn: number, n: number, scheduledUs: number): string {
  return `${conn}_${n}_${scheduledUs}`;
}

export function readClientId(clientId: string): { conn: number; scheduledUs: number } | undefined {
  const first = clientId.indexOf("_");
  const last = clientId.lastIndexOf("_");
  if (first < 0 || last === first) return undefined;
  return { conn: Number(clientId.slice(0, first)), scheduledUs: Number(clientId.slice(last + 1)) };
}

/**
 * The value of a string field in a JSON frame without parsing the whole frame: the load
 * process shares one CPU with thousands of sockets, and JSON.parse of every delivery would
 * make it, not the server, the bottleneck. Only used on fields whose values hold no escapes.
 */
export function jsonStringField(raw: string, key: string): string | undefined {
  const marker = `"${key}":"`;
  const start = raw.indexOf(marker);
  if (start < 0) return undefined;
  const from = start + marker.length;
  const end = raw.indexOf('"', from);
  return end < 0 ? undefined : raw.slice(from, end);
}
