import type { Redis } from "ioredis";
import type { ActivityStore } from "../chat/administration-ports.js";
import type { DependencyHealth } from "../health/dependency-health.js";
import { RedisPresence } from "./redis-presence.js";

/**
 * Who is connected anywhere and when they were last active, over every node: connections come
 * from the per-person socket counts (RedisConnectionCounts, one hash field per node, ignored once
 * the node stops beating), last activity from a hash of person → time.
 */
export class RedisActivity implements ActivityStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly health: DependencyHealth,
    /** Presence's dead-node timeout: a node that has not beaten for this long holds no sockets. */
    private readonly nodeTimeoutMs: number,
    /** Last activity older than this is forgotten (the person is away anyway). */
    private readonly keepMs: number,
  ) {}

  private get lastActiveKey(): string {
    return `${this.prefix}last-active`;
  }

  async reportActive(userId: string, at: number): Promise<void> {
    try {
      await this.redis.hset(this.lastActiveKey, userId, String(at));
    } catch (error) {
      throw this.health.failed(error);
    }
  }

  async activity(userIds: string[]) {
    try {
      const pipeline = this.redis.pipeline();
      pipeline.zrangebyscore(RedisPresence.nodesKey(this.prefix), Date.now() - this.nodeTimeoutMs, "+inf");
      pipeline.hmget(this.lastActiveKey, ...userIds);
      for (const userId of userIds) pipeline.hgetall(`${this.prefix}connections:${userId}`);
      const results = (await pipeline.exec()) ?? [];
      const liveNodes = new Set((results[0]?.[1] as string[] | undefined) ?? []);
      const lastActive = (results[1]?.[1] as Array<string | null> | undefined) ?? [];
      const now = Date.now();
      return new Map(
        userIds.map((userId, index) => {
          const counts = (results[index + 2]?.[1] as Record<string, string> | undefined) ?? {};
          const connected = Object.entries(counts).some(
            ([node, count]) => liveNodes.has(node) && Number(count) > 0,
          );
          const at = Number(lastActive[index] ?? Number.NaN);
          return [
            userId,
            { connected, lastActiveAt: Number.isFinite(at) && now - at < this.keepMs ? at : undefined },
          ];
        }),
      );
    } catch (error) {
      throw this.health.failed(error);
    }
  }
}
