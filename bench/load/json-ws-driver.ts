import type { ConnectionHandlers, ConnectParams, LoadConnection } from "./driver.js";
import { LeanWebSocket } from "./lean-websocket.js";
import { jsonStringField } from "./payload.js";

/**
 * Parley's protocol (and the ws baseline, which speaks the same frames). Frames are told
 * apart by their first bytes, since every server frame starts with its "type" key.
 */
export async function connectJsonWs(
  params: ConnectParams,
  handlers: ConnectionHandlers,
): Promise<LoadConnection> {
  const headers: Record<string, string> = { Origin: params.origin };
  if (params.cookie) headers.Cookie = params.cookie;
  let pendingJoin: { resolve: () => void; reject: (error: Error) => void } | undefined;
  // Settled by the greeting, which may arrive in the same read as the 101.
  let greet: { resolve: () => void; reject: (error: Error) => void } = { resolve() {}, reject() {} };
  const greeted = new Promise<void>((resolve, reject) => {
    greet = { resolve, reject };
  });
  // Observed here so that a close before anyone awaits it is not an unhandled rejection.
  greeted.catch(() => undefined);
  let ready = false;
  let closing = false;

  const socket = await LeanWebSocket.open(
    {
      // Parley ignores the query; the baseline takes the display name from it.
      url: `${params.url}?user=${encodeURIComponent(params.name)}`,
      headers,
      localAddress: params.localAddress,
      localPort: params.localPort,
      timeoutMs: params.timeoutMs,
    },
    {
      onText(raw) {
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
          greet.resolve();
        } else if (raw.startsWith('{"type":"error"')) {
          handlers.onError();
          const join = pendingJoin;
          pendingJoin = undefined;
          join?.reject(new Error(raw));
        }
      },
      onClose() {
        pendingJoin?.reject(new Error("closed while joining"));
        pendingJoin = undefined;
        if (!ready) greet.reject(new Error("closed before hello"));
        else if (!closing) handlers.onClose();
      },
    },
  );

  const connection: LoadConnection = {
    join(roomId, timeoutMs, since) {
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
        socket.sendText(
          JSON.stringify(since === undefined ? { type: "join", roomId } : { type: "join", roomId, since }),
        );
      });
    },
    send(roomId, clientId, body) {
      if (!socket.open) return false;
      socket.sendText(JSON.stringify({ type: "send", roomId, clientId, body }));
      return true;
    },
    close() {
      closing = true;
      socket.terminate();
    },
  };

  const timer = setTimeout(() => {
    greet.reject(new Error(`no hello within ${params.timeoutMs} ms`));
    socket.terminate();
  }, params.timeoutMs);
  try {
    await greeted;
  } finally {
    clearTimeout(timer);
  }
  return connection;
}
