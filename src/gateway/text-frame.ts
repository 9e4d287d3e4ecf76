import type { EncodedFrame } from "../chat/ports.js";

/** WebSocket frame bytes per payload: a broadcast is framed once, whatever its number of recipients. */
const framed = new WeakMap<EncodedFrame, Buffer>();

/** FIN + text opcode; server frames are never masked (RFC 6455 §5.1). */
const FIN_TEXT = 0x81;

/**
 * The complete unmasked text frame (header and payload in one buffer) for a payload, built on
 * first use and shared by every socket it is written to: one write per recipient, no copy.
 */
export function textFrame(payload: EncodedFrame): Buffer {
  const cached = framed.get(payload);
  if (cached) return cached;
  const length = payload.byteLength;
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = FIN_TEXT;
  if (length < 126) {
    frame[1] = length;
  } else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  frame.set(payload, headerLength);
  framed.set(payload, frame);
  return frame;
}
