import { freePort } from "../system/ports.js";
import { launchServer } from "./server-process.js";
import type { RunningTarget, StartOptions } from "./target.js";

const SCRIPTS = {
  ws: "bench/baselines/ws-server.ts",
  socketio: "bench/baselines/socketio-server.ts",
} as const;

/** A baseline server: no accounts and no stored rooms, so users are names and rooms are ids we make up. */
export async function startBaseline(name: "ws" | "socketio", options: StartOptions): Promise<RunningTarget> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const server = await launchServer({
    name,
    script: SCRIPTS[name],
    port,
    pinning: options.pinning,
    env: { PORT: String(port), HOST: "127.0.0.1", NODE_ENV: "production" },
  });
  return {
    name,
    server,
    driver: name === "ws" ? "json-ws" : "socketio",
    connectUrl: name === "ws" ? `ws://127.0.0.1:${port}/ws` : baseUrl,
    origin: baseUrl,
    users: async (prefix, count) => Array.from({ length: count }, (_, i) => ({ name: `${prefix}-${i}` })),
    createRooms: async (prefix, count) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`),
    stop: () => server.stop(),
  };
}
