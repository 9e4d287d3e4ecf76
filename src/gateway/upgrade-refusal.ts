import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";

/**
 * Answers a refused WebSocket upgrade with a real HTTP status and a JSON reason, then hangs up.
 * `securityHeaders` are the ones every HTTP response carries (fastify's hooks never see this
 * answer); `headers` are this refusal's own (Retry-After).
 */
export function refuseUpgrade(
  socket: Duplex,
  status: number,
  error: string,
  message: string,
  securityHeaders: Record<string, string>,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ error, message });
  const extra = Object.entries({ ...securityHeaders, ...headers })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("");
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}\r\n` +
      "Content-Type: application/json; charset=utf-8\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      extra +
      "Connection: close\r\n\r\n" +
      body,
  );
}
