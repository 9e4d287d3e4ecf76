import { afterAll, describe, expect, it } from "vitest";
import { ChatClient, signIn } from "../support/chat-client.js";
import { type Cluster, clusterDatabase, startCluster } from "../support/cluster.js";
import { startServer, type TestServer } from "../support/parley-server.js";
import { testRedisUrl } from "../support/redis.js";
import { upgradeAnswer } from "../support/upgrade-answer.js";

/** Upgrades until one is not refused with 429 (a closed socket's slot comes back when the server sees it close). */
async function upgradeOnceFreed(server: TestServer, cookie: string) {
  const deadline = Date.now() + 5000;
  let answer = await upgradeAnswer(server, cookie);
  while (answer.status === 429 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    answer = await upgradeAnswer(server, cookie);
  }
  return answer;
}

describe("connections per person", () => {
  let server: TestServer;
  afterAll(async () => {
    await server?.close();
  });

  it("refuses the upgrade past the cap with 429 and Retry-After, per person, and frees a slot on close", async () => {
    server = await startServer({ env: { MAX_CONNECTIONS_PER_USER: "3" } });
    const hoarder = await signIn(server.url, "Hoarder");
    const other = await signIn(server.url, "Other");
    const open = await Promise.all([1, 2, 3].map(() => ChatClient.connect(server.wsUrl, hoarder.cookie)));

    const refused = await upgradeAnswer(server, hoarder.cookie);
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect(refused.body).toMatchObject({ error: "too_many_connections" });
    // A parallel burst cannot overshoot either.
    const burst = await Promise.all([1, 2, 3, 4, 5].map(() => upgradeAnswer(server, hoarder.cookie)));
    expect(burst.map((answer) => answer.status)).toEqual([429, 429, 429, 429, 429]);

    // Someone else is not affected.
    const theirs = await ChatClient.connect(server.wsUrl, other.cookie);

    // Closing one socket frees its slot (once the server has seen the TCP connection close).
    await open[0]?.close();
    expect((await upgradeOnceFreed(server, hoarder.cookie)).status).toBe(101);
    for (const client of [...open.slice(1), theirs]) client?.socket.terminate();
  });
});

const redisUrl = testRedisUrl();

describe.runIf(redisUrl && clusterDatabase())("connections per person over several nodes", () => {
  let cluster: Cluster | undefined;
  afterAll(async () => {
    await cluster?.close();
  });

  it("counts a person's sockets on every node against one cap", async () => {
    cluster = await startCluster(2, redisUrl ?? "", { MAX_CONNECTIONS_PER_USER: "3" });
    const [a, b] = cluster.nodes as [TestServer, TestServer];
    const hoarder = await signIn(a.url, "Hoarder");
    const onA = [
      await ChatClient.connect(a.wsUrl, hoarder.cookie),
      await ChatClient.connect(a.wsUrl, hoarder.cookie),
    ];
    const onB = await ChatClient.connect(b.wsUrl, hoarder.cookie);

    for (const node of [a, b]) {
      const refused = await upgradeAnswer(node, hoarder.cookie);
      expect(refused.status).toBe(429);
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    }
    // A slot given back on node A can be taken on node B.
    await onA[0]?.close();
    expect((await upgradeOnceFreed(b, hoarder.cookie)).status).toBe(101);
    for (const client of [...onA.slice(1), onB]) client?.socket.terminate();
  });
});
