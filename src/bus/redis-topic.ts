import type { Redis } from "ioredis";

/**
 * Publish/subscribe between nodes over one Redis channel, as JSON. Every node, the publisher's
 * too, gets every event from Redis, so there is one delivery path. ioredis reconnects and
 * resubscribes by itself after an outage. Several topics can share one subscriber connection.
 */
export class RedisTopic<T> {
  private readonly handlers: Array<(event: T) => void> = [];

  protected constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly channel: string,
  ) {}

  /** `publisher` is a normal connection; `subscriber` becomes (or already is) a subscriber-mode one. */
  static async open<T>(publisher: Redis, subscriber: Redis, channel: string): Promise<RedisTopic<T>> {
    const topic = new RedisTopic<T>(publisher, subscriber, channel);
    await topic.listen();
    return topic;
  }

  protected async listen(): Promise<void> {
    this.subscriber.on("message", (channel: string, payload: string) => {
      if (channel === this.channel) this.dispatch(payload);
    });
    await this.subscriber.subscribe(this.channel);
  }

  get available(): boolean {
    return this.publisher.status === "ready" && this.subscriber.status === "ready";
  }

  async publish(event: T): Promise<void> {
    await this.publisher.publish(this.channel, JSON.stringify(event));
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
