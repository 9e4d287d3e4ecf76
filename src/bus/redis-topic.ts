import type { RedisConnections } from "./redis-connections.js";

/**
 * Publish/subscribe between nodes over one Redis channel, as JSON. Every node, the publisher's
 * too, gets every event from Redis, so there is one delivery path. ioredis reconnects and
 * resubscribes by itself after an outage. Several topics share the one subscriber connection.
 */
export class RedisTopic<T> {
  private readonly handlers: Array<(event: T) => void> = [];

  protected constructor(
    private readonly redis: RedisConnections,
    private readonly channel: string,
  ) {}

  /** Publishes on `redis.publisher`; `redis.subscriber` becomes (or already is) a subscriber-mode connection. */
  static async open<T>(redis: RedisConnections, channel: string): Promise<RedisTopic<T>> {
    const topic = new RedisTopic<T>(redis, channel);
    await topic.listen();
    return topic;
  }

  protected async listen(): Promise<void> {
    this.redis.subscriber.on("message", (channel: string, payload: string) => {
      if (channel === this.channel) this.dispatch(payload);
    });
    await this.redis.subscriber.subscribe(this.channel);
  }

  /** False while a connection is down or Redis stopped answering (frozen): nothing could be carried. */
  get available(): boolean {
    return this.redis.available;
  }

  async publish(event: T): Promise<void> {
    try {
      await this.redis.publisher.publish(this.channel, JSON.stringify(event));
    } catch (error) {
      throw this.redis.health.failed(error);
    }
  }

  subscribe(handler: (event: T) => void): void {
    this.handlers.push(handler);
  }

  private dispatch(payload: string): void {
    // Our own nodes wrote it; a malformed payload means a version mismatch, not an attack.
    const event = JSON.parse(payload) as T;
    for (const handler of this.handlers) handler(event);
  }
}
