import { afterAll, describe, expect, it } from "vitest";
import { signIn } from "../support/chat-client.js";
import { startServer, type TestServer } from "../support/parley-server.js";
import { upgradeAnswer } from "../support/upgrade-answer.js";

/** What a browser's client asks after its socket died unopened: GET on the socket's URL. */
async function probe(
  server: TestServer,
): Promise<{ status: number; retryAfter: string | null; body: unknown }> {
  const response = await fetch(`${server.url}/ws`, { headers: { accept: "application/json" } });
  return {
    status: response.status,
    retryAfter: response.headers.get("retry-after"),
    body: await response.json(),
  };
}

describe("admission of new connections", () => {
  let server: TestServer;
  afterAll(async () => {
    await server?.close();
  });

  it("past the admission rate refuses upgrades with 503 and Retry-After, says so to a plain GET, and admits again later", async () => {
    server = await startServer({ env: { CONNECT_ADMISSION_PER_SECOND: "2" } });
    const person = await signIn(server.url, "Herd");
    expect((await probe(server)).status).toBe(426);

    const burst = await Promise.all(Array.from({ length: 8 }, () => upgradeAnswer(server, person.cookie)));
    const admitted = burst.filter((answer) => answer.status === 101);
    const refused = burst.filter((answer) => answer.status === 503);
    // Two a second: the burst gets the bucket's two (a third if the burst spans half a second).
    expect(admitted.length).toBeGreaterThanOrEqual(2);
    expect(admitted.length).toBeLessThanOrEqual(3);
    expect(refused).toHaveLength(8 - admitted.length);
    for (const answer of refused) {
      expect(answer.body).toMatchObject({ error: "busy" });
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    // The waits form a queue: later refusals are told to come back later.
    const waits = refused.map((answer) => Number(answer.retryAfter));
    expect(Math.max(...waits)).toBeGreaterThan(Math.min(...waits));

    const busy = await probe(server);
    expect(busy.status).toBe(503);
    expect(Number(busy.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(busy.body).toMatchObject({ error: "busy" });

    // Once the queue has drained, the same person gets in.
    const deadline = Date.now() + 15_000;
    let answer = await upgradeAnswer(server, person.cookie);
    while (answer.status === 503 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, Number(answer.retryAfter) * 1000));
      answer = await upgradeAnswer(server, person.cookie);
    }
    expect(answer.status).toBe(101);
  });
});
