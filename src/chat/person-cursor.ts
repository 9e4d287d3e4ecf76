import type { PersonPosition } from "./ports.js";

/** The opaque `nextCursor` of a page of people: the last person's position, as base64url JSON. */
export function encodePersonCursor(position: PersonPosition): string {
  return Buffer.from(JSON.stringify([position.name, position.id]), "utf8").toString("base64url");
}

/** The position a cursor names, or undefined when it is not one this server made. */
export function decodePersonCursor(cursor: string): PersonPosition | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [name, id] = value as unknown[];
    if (typeof name !== "string" || typeof id !== "string" || id.length === 0) return undefined;
    return { name, id };
  } catch {
    return undefined;
  }
}
