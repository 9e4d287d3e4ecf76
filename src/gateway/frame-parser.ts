import { type ClientFrame, ClientFrame as ClientFrameSchema } from "@parley/protocol";
import type { RawData } from "ws";
import { z } from "zod";

export type ParsedFrame = { ok: true; frame: ClientFrame } | { ok: false; message: string };

function text(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString("utf8");
  return data.toString("utf8");
}

/** Turns one inbound WebSocket message into a typed frame, or a reason a person can read. */
export function parseClientFrame(data: RawData, isBinary: boolean): ParsedFrame {
  if (isBinary) return { ok: false, message: "Frames must be JSON text, not binary." };
  let json: unknown;
  try {
    json = JSON.parse(text(data));
  } catch {
    return { ok: false, message: "The frame is not valid JSON." };
  }
  const parsed = ClientFrameSchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, message: `The frame is not valid: ${z.prettifyError(parsed.error).slice(0, 500)}` };
  }
  return { ok: true, frame: parsed.data };
}
