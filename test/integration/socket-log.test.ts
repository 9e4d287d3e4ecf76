import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatClient, signIn, waitUntil } from "../support/chat-client.js";
import { LogLines } from "../support/log-lines.js";
import { startServer, type TestServer } from "../support/parley-server.js";

describe("the gateway's log lines", () => {
  const logs = new LogLines();
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { LOG_LEVEL: "info" }, logDestination: logs });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("name the connection and its user when a socket opens and closes", async () => {
    const user = await signIn(server.url, "Logged");
    const client = await ChatClient.connect(server.wsUrl, user.cookie);
    await client.close();
    await waitUntil(() => logs.matching(/^socket closed$/).length === 1, "the close logged");
    const [opened] = logs.matching(/^socket opened$/);
    const [closed] = logs.matching(/^socket closed$/);
    expect(opened?.connectionId).toEqual(expect.any(String));
    expect(closed).toMatchObject({ connectionId: opened?.connectionId, userId: opened?.userId, code: 1005 });
    expect(opened?.userId).toEqual(expect.any(String));
  });
});
