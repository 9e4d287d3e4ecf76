import type { Connector } from "./driver.js";
import type { DriverKind } from "./protocol.js";

/** Drivers are loaded on demand, so a load process never pays for socket.io-client unless it uses it. */
export async function loadConnector(kind: DriverKind): Promise<Connector> {
  if (kind === "socketio") return (await import("./socketio-driver.js")).connectSocketIo;
  return (await import("./json-ws-driver.js")).connectJsonWs;
}
