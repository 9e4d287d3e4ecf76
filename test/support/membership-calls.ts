import type { ServerFrame } from "@parley/protocol";
import type { ChatClient, SignedInUser } from "./chat-client.js";

let sequence = 0;
/** A clientId no other send of this test run uses. */
export const newClientId = () => `ra${Date.now().toString(36)}${(sequence++).toString(36)}`;

/** A REST call as `user`, with the origin the server expects for writes. */
export async function call(
  baseUrl: string,
  user: SignedInUser,
  method: "GET" | "POST" | "PUT" | "DELETE",
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      cookie: user.cookie,
      origin: baseUrl,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** The frames received after index `from` that mention this room id anywhere. */
export function framesAbout(client: ChatClient, roomId: string, from = 0): ServerFrame[] {
  return client.received.slice(from).filter((frame) => JSON.stringify(frame).includes(roomId));
}

/** Sends a message in `roomId` as `client` and waits for its ack. */
export async function say(client: ChatClient, roomId: string, body: string): Promise<string> {
  const id = newClientId();
  client.send({ type: "send", roomId, clientId: id, body });
  await client.waitFor((f) => f.type === "ack" && f.clientId === id);
  return id;
}
