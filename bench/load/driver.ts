/** What the load process hears from one connection. Each handler must be cheap: it runs per frame. */
export interface ConnectionHandlers {
  onDelivery(body: string): void;
  onAck(clientId: string): void;
  onError(): void;
  onClose(): void;
}

export interface ConnectParams {
  url: string;
  origin: string;
  name: string;
  cookie?: string;
  localAddress: string;
  /** Chosen by the load process (see LocalPorts), never left to the kernel. */
  localPort: number;
  timeoutMs: number;
}

/** One client connection, ready (greeted or connected) once `connect` resolves. */
export interface LoadConnection {
  /**
   * Joins one room (resuming after `since` when given); resolves when the server confirms.
   * Joins of one connection must not overlap.
   */
  join(roomId: string, timeoutMs: number, since?: number): Promise<void>;
  /** False when the connection is no longer open and nothing was sent. */
  send(roomId: string, clientId: string, body: string): boolean;
  /** Drops the connection without the close handshake: teardown of thousands must be quick. */
  close(): void;
}

export type Connector = (params: ConnectParams, handlers: ConnectionHandlers) => Promise<LoadConnection>;
