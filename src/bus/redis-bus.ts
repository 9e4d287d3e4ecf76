import type { Redis } from "ioredis";
import type { Bus, BusEvent } from "../chat/ports.js";
import { RedisTopic } from "./redis-topic.js";

/** The domain's fan-out between nodes: its events on one Redis channel. */
export class RedisBus extends RedisTopic<BusEvent> implements Bus {
  static async connect(publisher: Redis, subscriber: Redis, prefix: string): Promise<RedisBus> {
    const bus = new RedisBus(publisher, subscriber, `${prefix}bus`);
    await bus.listen();
    return bus;
  }
}
