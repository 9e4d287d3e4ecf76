import type { Redis } from "ioredis";
import type { Bus, BusEvent } from "../chat/ports.js";

/**
 * Fan-out between nodes over one Redis pub/sub channel. Every node, the publisher's too,
 * gets every event from Redis, so there is one delivery path. ioredis reconnects and
 * resubscribes by itself after an outage.
 */
export class RedisBus implements Bus {
  private readonly handlers: Array<(event: BusEvent) => void> = [];
  private readonly channel: string;

  private constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    prefix: string,
  ) {
    this.channel = `${prefix}bus`;
  }

  /** `publisher` is a normal connection; `subscriber` becomes a subscriber-mode connection. */
  static async connect(publisher: Redis, subscriber: Redis, prefix: string): Promise<RedisBus> {
    const bus = new RedisBus(publisher, subscriber, prefix);
    subscriber.on("message", (channel: string, payload: string) => {
      if (channel === bus.channel) bus.dispatch(payload);
    });
    await subscriber.subscribe(bus.channel);
    return bus;
  }

  get available(): boolean {
    return this.publisher.status === "ready" && this.subscriber.status === "ready";
  }

  async publish(event: BusEvent): Promise<void> {
    await this.publisher.publish(this.channel, JSON.stringify(event));
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
