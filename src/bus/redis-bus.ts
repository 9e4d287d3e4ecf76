import type { Bus, BusEvent } from "../chat/ports.js";
import type { RedisConnections } from "./redis-connections.js";
import { RedisTopic } from "./redis-topic.js";

/** The domain's fan-out between nodes: its events on one Redis channel. */
export class RedisBus extends RedisTopic<BusEvent> implements Bus {
  static async connect(redis: RedisConnections, prefix: string): Promise<RedisBus> {
    const bus = new RedisBus(redis, `${prefix}bus`);
    await bus.listen();
    return bus;
  }
}
