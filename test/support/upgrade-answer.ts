import { request } from "node:http";
import type { TestServer } from "./parley-server.js";

/** The raw answer to an upgrade request: status, headers and body of a refusal. */
export function upgradeAnswer(server: TestServer, cookie: string) {
  return new Promise<{ status: number; retryAfter: string | undefined; body: unknown }>((resolve, reject) => {
    const req = request(`${server.url}/ws`, {
      headers: {
        cookie,
        origin: server.url,
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": Buffer.from("0123456789abcdef").toString("base64"),
      },
    });
    req.on("upgrade", (response, socket) => {
      socket.destroy();
      resolve({ status: response.statusCode ?? 0, retryAfter: undefined, body: undefined });
    });
    req.on("response", (response) => {
      let text = "";
      response.on("data", (chunk: Buffer) => {
        text += chunk.toString("utf8");
      });
      response.on("end", () =>
        resolve({
          status: response.statusCode ?? 0,
          retryAfter: response.headers["retry-after"] as string | undefined,
          body: JSON.parse(text),
        }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}
