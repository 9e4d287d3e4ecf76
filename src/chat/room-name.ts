/** A room name as stored: trimmed and in Unicode NFC, so the same text typed anywhere is the same name. */
export function normalRoomName(name: string): string {
  return name.normalize("NFC").trim();
}

/**
 * What makes two room names "the same" (as Slack treats channel names): equal after trim, NFC and
 * case folding. Stored beside the room; the room list is ordered by it.
 */
export function roomNameKey(name: string): string {
  return normalRoomName(name).toLowerCase().normalize("NFC");
}
