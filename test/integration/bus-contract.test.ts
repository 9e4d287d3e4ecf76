import { once } from "node:events";
import { describe } from "vitest";
import { RedisBus } from "../../src/bus/redis-bus.js";
import { connectRedis } from "../../src/bus/redis-connections.js";
import { busContract } from "../contracts/bus.contract.js";
import { testRedisUrl, uniquePrefix } from "../support/redis.js";

const redisUrl = testRedisUrl();

// Without Redis the suite shows as skipped (the file must still hold one).
describe.runIf(redisUrl)("redis bus", () => {
  const url = redisUrl as string;
  // Each node has its own connections, as separate processes would; all share one prefix.
  busContract(
    "redis",
    async (count) => {
      const prefix = uniquePrefix();
      const connections = await Promise.all(Array.from({ length: count }, () => connectRedis(url)));
      const nodes = await Promise.all(connections.map((redis) => RedisBus.connect(redis, prefix)));
      // Resolves once every connection has ended, as ioredis reports it a moment after disconnect().
      const disconnect = async () => {
        const ended = connections.flatMap((redis) =>
          [redis.commands, redis.publisher, redis.subscriber].map((connection) =>
            connection.status === "end" ? undefined : once(connection, "end"),
          ),
        );
        for (const redis of connections) redis.disconnect();
        await Promise.all(ended);
      };
      return { nodes, shutDown: disconnect, close: disconnect };
    },
    { canShutDown: true },
  );
});
