import type { Redis } from "ioredis";
import { DependencyUnavailableError } from "../chat/unavailable.js";
import type { DependencyHealth } from "../health/dependency-health.js";
import { RedisPresence } from "./redis-presence.js";

// KEYS[1]: the user's hash (node id → open sockets), KEYS[2]: live nodes (node id → last beat).
// ARGV: this node, oldest live beat, limit. Counts of nodes that stopped beating are dropped on
// the way (a killed node never gives its slots back). Returns 1 when a slot was taken.
const TAKE = `
local fields = redis.call('HGETALL', KEYS[1])
local total = 0
for i = 1, #fields, 2 do
  local beat = redis.call('ZSCORE', KEYS[2], fields[i])
  if fields[i] == ARGV[1] or (beat and tonumber(beat) >= tonumber(ARGV[2])) then
    total = total + tonumber(fields[i + 1])
  else
    redis.call('HDEL', KEYS[1], fields[i])
  end
end
if total >= tonumber(ARGV[3]) then return 0 end
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
return 1`;

const RELEASE = `
if redis.call('HINCRBY', KEYS[1], ARGV[1], -1) <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
return 1`;

/**
 * Open sockets per person across every node, in Redis: one hash per person, one field per node,
 * so a node that dies (and stops beating in RedisPresence's node set) has its count ignored and
 * removed. Rides on presence's node liveness rather than a heartbeat of its own.
 */
export class RedisConnectionCounts {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly nodeId: string,
    private readonly health: DependencyHealth,
    /** Presence's dead-node timeout: a node that has not beaten for this long holds no sockets. */
    private readonly nodeTimeoutMs: number,
  ) {}

  private key(userId: string): string {
    return `${this.prefix}connections:${userId}`;
  }

  /** True when the person had fewer than `limit` sockets over all nodes (and now has one more). */
  async take(userId: string, limit: number): Promise<boolean> {
    // While Redis is known to be away, do not wait for a command to time out on every upgrade.
    if (!this.health.up) throw new DependencyUnavailableError(this.health.name);
    try {
      const taken = await this.redis.eval(
        TAKE,
        2,
        this.key(userId),
        RedisPresence.nodesKey(this.prefix),
        this.nodeId,
        Date.now() - this.nodeTimeoutMs,
        limit,
      );
      return taken === 1;
    } catch (error) {
      throw this.health.failed(error);
    }
  }

  release(userId: string): void {
    this.redis
      .eval(RELEASE, 1, this.key(userId), this.nodeId)
      .catch((error: unknown) => this.health.failed(error));
  }
}
