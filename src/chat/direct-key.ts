import { createHash } from "node:crypto";

/**
 * What finds a direct conversation again: a digest of its people's sorted, distinct ids (as
 * Campfire does), so writing to the same people from either side opens the same room.
 */
export function directKey(userIds: readonly string[]): string {
  const ids = [...new Set(userIds)].sort();
  return createHash("sha256").update(ids.join("\n"), "utf8").digest("hex");
}
