import type { RoomListPosition } from "./ports.js";

/** The opaque `nextCursor` of the room list: the position of a page's last room, as base64url JSON. */
export function encodeRoomCursor(position: RoomListPosition): string {
  return Buffer.from(JSON.stringify([position.nameKey, position.id]), "utf8").toString("base64url");
}

/** The position a cursor names, or undefined when it is not one this server made. */
export function decodeRoomCursor(cursor: string): RoomListPosition | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [nameKey, id] = value as unknown[];
    if (typeof nameKey !== "string" || typeof id !== "string" || id.length === 0) return undefined;
    return { nameKey, id };
  } catch {
    return undefined;
  }
}
