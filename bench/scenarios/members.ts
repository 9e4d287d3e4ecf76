import type { Fleet } from "../load/fleet.js";
import type { ConnSpec } from "../load/protocol.js";
import type { Credential, RunningTarget } from "../servers/target.js";

/** One connection per distinct user, each joining the rooms `roomsOf` gives it. */
export async function memberSpecs(
  target: RunningTarget,
  prefix: string,
  count: number,
  roomsOf: (index: number) => string[],
): Promise<ConnSpec[]> {
  const users = await target.users(prefix, count);
  return users.map((user, id) => toSpec(id, user, roomsOf(id)));
}

export function toSpec(id: number, user: Credential, rooms: string[]): ConnSpec {
  return { id, name: user.name, ...(user.cookie ? { cookie: user.cookie } : {}), rooms };
}

/** Scenarios about members need every member: a partial room would make the counts meaningless. */
export function requireAllConnected(fleet: Fleet, wanted: number): void {
  const { connected, failed, firstError } = fleet.connect;
  if (connected !== wanted) {
    throw new Error(
      `only ${connected} of ${wanted} connections joined (${failed} failed: ${firstError ?? "?"})`,
    );
  }
}
