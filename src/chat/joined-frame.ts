import type { JoinedFrame } from "@parley/protocol";
import type { EncodedFrame } from "./ports.js";

const utf8 = new TextEncoder();

/** A `joined` frame but for its member list, which comes already encoded. */
export type JoinedWithoutMembers = Omit<JoinedFrame, "type" | "members">;

/**
 * The bytes of a `joined` frame whose `members` array is already JSON (see MemberSnapshots):
 * only the joiner's own part (room, messages, read position) is serialised, and the list, the
 * same for everyone joining the room meanwhile, is copied in. The result is exactly what
 * encodeFrame would give for the whole frame, keys in the same order.
 */
export function encodeJoined({ room, ...rest }: JoinedWithoutMembers, members: Uint8Array): EncodedFrame {
  const head = utf8.encode(`{"type":"joined","room":${JSON.stringify(room)},"members":`);
  // `rest` always holds `users`, so its JSON is "{…}" with at least one key.
  const tail = utf8.encode(`,${JSON.stringify(rest).slice(1)}`);
  const frame = new Uint8Array(head.length + members.length + tail.length);
  frame.set(head, 0);
  frame.set(members, head.length);
  frame.set(tail, head.length + members.length);
  return frame;
}
