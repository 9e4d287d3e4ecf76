import { Redis } from "ioredis";

export interface RedisConnections {
  /** Sessions and presence: fails at once while Redis is away, so callers can answer clearly. */
  commands: Redis;
  /** Publishes: queues while Redis is away, so a committed message is still fanned out once it is back. */
  publisher: Redis;
  /** Subscriber mode; ioredis resubscribes after a reconnect. */
  subscriber: Redis;
  disconnect(): void;
}

// Reconnect quickly at first, then every two seconds, forever: an outage must heal by itself.
const retryStrategy = (attempt: number) => Math.min(attempt * 100, 2000);

export async function connectRedis(url: string): Promise<RedisConnections> {
  const commands = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, retryStrategy });
  const publisher = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: null, retryStrategy });
  const subscriber = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: null, retryStrategy });
  // Errors while Redis is away are expected; readiness reports them.
  for (const connection of [commands, publisher, subscriber]) connection.on("error", () => undefined);
  await Promise.all([commands.connect(), publisher.connect(), subscriber.connect()]);
  return {
    commands,
    publisher,
    subscriber,
    disconnect() {
      for (const connection of [commands, publisher, subscriber]) connection.disconnect();
    },
  };
}
