import type { ServerFrame } from "./server-frames.js";

const utf8 = new TextEncoder();

/** A server frame as the UTF-8 JSON bytes that go on the socket; serialised once per frame. */
export function encodeFrame(frame: ServerFrame): Uint8Array {
  return utf8.encode(JSON.stringify(frame));
}
