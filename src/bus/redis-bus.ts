import type { Bus, BusEvent } from "../chat/ports.js";
import type { RedisConnections } from "./redis-connections.js";

/**
 * Fan-out between nodes over one Redis pub/sub channel. Every node, the publisher's too,
 * gets every event from Redis, so there is one delivery path. ioredis reconnects and
 * resubscribes by itself after an outage.
 */
export class RedisBus implements Bus {
  private readonly handlers: Array<(event: BusEvent) => void> = [];
  private readonly channel: string;

  private constructor(
    private readonly redis: RedisConnections,
    prefix: string,
  ) {
    this.channel = `${prefix}bus`;
  }

  /** Publishes on `redis.publisher`; `redis.subscriber` becomes a subscriber-mode connection. */
  static async connect(redis: RedisConnections, prefix: string): Promise<RedisBus> {
    const bus = new RedisBus(redis, prefix);
    redis.subscriber.on("message", (channel: string, payload: string) => {
      if (channel === bus.channel) bus.dispatch(payload);
    });
    await redis.subscriber.subscribe(bus.channel);
    return bus;
  }

  /** False while a connection is down or Redis stopped answering (frozen): nothing could be fanned out. */
  get available(): boolean {
    return this.redis.available;
  }

  async publish(event: BusEvent): Promise<void> {
    try {
      await this.redis.publisher.publish(this.channel, JSON.stringify(event));
    } catch (error) {
      throw this.redis.health.failed(error);
    }
  }

  subscribe(handler: (event: BusEvent) => void): void {
    this.handlers.push(handler);
  }

  private dispatch(payload: string): void {
    // Our own nodes wrote it; a malformed payload means a version mismatch, not an attack.
    const event = JSON.parse(payload) as BusEvent;
    for (const handler of this.handlers) handler(event);
  }
}
