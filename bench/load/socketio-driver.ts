import { Agent } from "node:http";
import { createConnection, type NetConnectOpts, type Socket } from "node:net";
import { io, type ManagerOptions, type SocketOptions } from "socket.io-client";
import type { ConnectionHandlers, ConnectParams, LoadConnection } from "./driver.js";

interface Delivered {
  body?: unknown;
}

/** engine.io-client passes no localPort on to ws, but it passes an agent: this one binds the port. */
class LocalPortAgent extends Agent {
  constructor(private readonly localPort: number) {
    super({ keepAlive: false });
  }

  override createConnection(options: NetConnectOpts): Socket {
    return createConnection({ ...options, localPort: this.localPort });
  }
}

/** The Socket.IO baseline, with the client a Socket.IO user would use. */
export function connectSocketIo(
  params: ConnectParams,
  handlers: ConnectionHandlers,
): Promise<LoadConnection> {
  // engine.io-client passes localAddress and an http.Agent through to ws; its types know neither.
  const options: Omit<Partial<ManagerOptions & SocketOptions>, "agent"> & {
    localAddress: string;
    agent: Agent;
  } = {
    transports: ["websocket"],
    // Without forceNew, every io() to the same URL would share one underlying connection.
    forceNew: true,
    reconnection: false,
    timeout: params.timeoutMs,
    query: { user: params.name },
    extraHeaders: { origin: params.origin },
    localAddress: params.localAddress,
    agent: new LocalPortAgent(params.localPort),
  };
  const socket = io(params.url, options as unknown as Partial<ManagerOptions & SocketOptions>);
  let ready = false;
  let closing = false;

  const connection: LoadConnection = {
    async join(roomId, timeoutMs) {
      await socket.timeout(timeoutMs).emitWithAck("join", roomId);
    },
    send(roomId, clientId, body) {
      if (!socket.connected) return false;
      socket.emit("send", { roomId, clientId, body });
      return true;
    },
    close() {
      closing = true;
      socket.disconnect();
    },
  };

  return new Promise((resolve, reject) => {
    socket.on("message", (message: Delivered) => {
      if (typeof message?.body === "string") handlers.onDelivery(message.body);
    });
    socket.once("connect", () => {
      ready = true;
      resolve(connection);
    });
    socket.once("connect_error", (error) => {
      if (!ready) reject(error);
      socket.disconnect();
    });
    socket.on("disconnect", () => {
      if (ready && !closing) handlers.onClose();
    });
  });
}
