import WebSocket from "ws";
import type { ConnectionHandlers, ConnectParams, LoadConnection } from "./driver.js";
import { jsonStringField } from "./payload.js";

/**
 * Parley's protocol (and the ws baseline, which speaks the same frames). Frames are told
 * apart by their first bytes, since every server frame starts with its "type" key.
 */
export function connectJsonWs(params: ConnectParams, handlers: ConnectionHandlers): Promise<LoadConnection> {
  const headers: Record<string, string> = { origin: params.origin };
  if (params.cookie) headers.cookie = params.cookie;
  // Parley ignores the query; the baseline takes the display name from it.
  const socket = new WebSocket(`${params.url}?user=${encodeURIComponent(params.name)}`, {
    headers,
    localAddress: params.localAddress,
    // Passed on by ws to net.connect.
    localPort: params.localPort,
    perMessageDeflate: false,
    // The load process is the scarce CPU; validating UTF-8 of our own ASCII frames buys nothing.
    skipUTF8Validation: true,
    handshakeTimeout: params.timeoutMs,
  });
  let pendingJoin: { resolve: () => void; reject: (error: Error) => void } | undefined;
  let ready = false;
  let closing = false;

  const connection: LoadConnection = {
    join(roomId, timeoutMs) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          pendingJoin = undefined;
          reject(new Error(`no joined for ${roomId} within ${timeoutMs} ms`));
        }, timeoutMs);
        pendingJoin = {
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        };
        socket.send(JSON.stringify({ type: "join", roomId }));
      });
    },
    send(roomId, clientId, body) {
      if (socket.readyState !== WebSocket.OPEN) return false;
      socket.send(JSON.stringify({ type: "send", roomId, clientId, body }));
      return true;
    },
    close() {
      closing = true;
      socket.terminate();
    },
  };

  return new Promise((resolve, reject) => {
    socket.on("message", (data: Buffer) => {
      const raw = data.toString();
      if (raw.startsWith('{"type":"message"')) {
        const body = jsonStringField(raw, "body");
        if (body !== undefined) handlers.onDelivery(body);
      } else if (raw.startsWith('{"type":"ack"')) {
        const clientId = jsonStringField(raw, "clientId");
        if (clientId !== undefined) handlers.onAck(clientId);
      } else if (raw.startsWith('{"type":"joined"')) {
        const join = pendingJoin;
        pendingJoin = undefined;
        join?.resolve();
      } else if (raw.startsWith('{"type":"hello"')) {
        ready = true;
        resolve(connection);
      } else if (raw.startsWith('{"type":"error"')) {
        handlers.onError();
        const join = pendingJoin;
        pendingJoin = undefined;
        join?.reject(new Error(raw));
      }
    });
    socket.once("unexpected-response", (_request, response) => {
      reject(new Error(`upgrade refused: ${response.statusCode}`));
      socket.terminate();
    });
    // Always listened to: an unhandled 'error' would kill the whole load process.
    socket.on("error", (error) => {
      if (!ready) reject(error);
    });
    socket.on("close", () => {
      pendingJoin?.reject(new Error("closed while joining"));
      pendingJoin = undefined;
      if (!ready) reject(new Error("closed before hello"));
      else if (!closing) handlers.onClose();
    });
  });
}
