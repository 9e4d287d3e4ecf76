import { randomUUID } from "node:crypto";
import type { Member } from "@parley/protocol";
import type { Redis } from "ioredis";
import type { PresenceStore } from "../chat/ports.js";
import type { DependencyHealth } from "../health/dependency-health.js";

/** How often a node beats, and how long a node that has not beaten is taken for dead. */
export interface PresenceTimings {
  heartbeatMs: number;
  /** Its members are then removed from every room. At least two beats. */
  nodeTimeoutMs: number;
}

const PRODUCTION_TIMINGS: PresenceTimings = { heartbeatMs: 5_000, nodeTimeoutMs: 15_000 };

// Adds one connection; returns 1 when it is the user's first in the room, across all nodes.
const ADD = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('SADD', KEYS[4], ARGV[4])
redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
if redis.call('HINCRBY', KEYS[2], ARGV[2], 1) == 1 then return 1 end
return 0`;

// Removes one connection of this user; returns 1 when it was the user's last in the room. A
// connection held by someone else is left alone: removing it would strand its owner's count
// (present forever) and announce a departure of someone who was never there.
const REMOVE = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
if redis.call('HINCRBY', KEYS[2], ARGV[2], -1) <= 0 then
  redis.call('HDEL', KEYS[2], ARGV[2])
  redis.call('HDEL', KEYS[3], ARGV[2])
  return 1
end
return 0`;

type Vanished = (roomId: string, userIds: string[]) => void;

/**
 * Presence shared by all nodes in Redis. Per room: connection → user, user → connection count,
 * user → profile. Each node beats into a sorted set; any node that sees another's beat go stale
 * removes that node's connections and reports who vanished, so a killed node's members leave
 * every list within the node timeout plus one beat.
 */
export class RedisPresence implements PresenceStore {
  readonly nodeId = randomUUID();
  /** This node's own connections, to put back after Redis lost its data. */
  private readonly mine = new Map<string, { roomId: string; member: Member }>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly vanishedHandlers: Vanished[] = [];

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly health: DependencyHealth,
    private readonly timings: PresenceTimings = PRODUCTION_TIMINGS,
  ) {}

  onVanished(handler: Vanished): void {
    this.vanishedHandlers.push(handler);
  }

  /** A Redis failure reaches the domain as "unavailable", and counts towards the outage. */
  private async guarded<T>(call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (error) {
      throw this.health.failed(error);
    }
  }

  private keys(roomId: string) {
    const room = `${this.prefix}presence:${roomId}`;
    return { conns: `${room}:conns`, counts: `${room}:counts`, profiles: `${room}:profiles` };
  }

  private nodeRooms(nodeId: string) {
    return `${this.prefix}presence-node:${nodeId}:rooms`;
  }

  private get nodes() {
    return RedisPresence.nodesKey(this.prefix);
  }

  /** The sorted set of live nodes (node id → last beat), which other per-node counts can rely on. */
  static nodesKey(prefix: string): string {
    return `${prefix}presence-nodes`;
  }

  private connectionKey(connectionId: string) {
    return `${this.nodeId}|${connectionId}`;
  }

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => {
      this.beat().catch(() => undefined);
    }, this.timings.heartbeatMs);
    this.timer.unref();
    // After an outage Redis may have restarted empty: put our connections back.
    this.redis.on("ready", () => {
      this.restore().catch(() => undefined);
    });
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.redis.zrem(this.nodes, this.nodeId).catch(() => undefined);
  }

  async add(roomId: string, member: Member, connectionId: string): Promise<boolean> {
    const key = this.connectionKey(connectionId);
    this.mine.set(key, { roomId, member });
    return (await this.guarded(this.runAdd(roomId, member, key))) === 1;
  }

  async remove(roomId: string, userId: string, connectionId: string): Promise<boolean> {
    const key = this.connectionKey(connectionId);
    const held = this.mine.get(key);
    if (held?.roomId === roomId && held.member.id === userId) this.mine.delete(key);
    const k = this.keys(roomId);
    return (await this.guarded(this.redis.eval(REMOVE, 3, k.conns, k.counts, k.profiles, key, userId))) === 1;
  }

  async members(roomId: string): Promise<Member[]> {
    const profiles = await this.guarded(this.redis.hvals(this.keys(roomId).profiles));
    return profiles.map((profile) => JSON.parse(profile) as Member);
  }

  private runAdd(roomId: string, member: Member, key: string) {
    const k = this.keys(roomId);
    return this.redis.eval(
      ADD,
      4,
      k.conns,
      k.counts,
      k.profiles,
      this.nodeRooms(this.nodeId),
      key,
      member.id,
      JSON.stringify(member),
      roomId,
    );
  }

  private async restore(): Promise<void> {
    for (const [key, { roomId, member }] of this.mine) await this.runAdd(roomId, member, key);
  }

  private async beat(): Promise<void> {
    const now = Date.now();
    await this.redis.zadd(this.nodes, now, this.nodeId);
    const dead = await this.redis.zrangebyscore(this.nodes, "-inf", now - this.timings.nodeTimeoutMs);
    for (const nodeId of dead) await this.reap(nodeId);
  }

  /** Removes a dead node's connections; a lock makes sure one node does it once. */
  private async reap(nodeId: string): Promise<void> {
    const locked = await this.redis.set(`${this.prefix}presence-reap:${nodeId}`, this.nodeId, "EX", 60, "NX");
    if (locked !== "OK") return;
    const rooms = await this.redis.smembers(this.nodeRooms(nodeId));
    for (const roomId of rooms) {
      const k = this.keys(roomId);
      const gone: string[] = [];
      let cursor = "0";
      do {
        const [next, entries] = await this.redis.hscan(k.conns, cursor, "MATCH", `${nodeId}|*`, "COUNT", 500);
        cursor = next;
        for (let i = 0; i < entries.length; i += 2) {
          const connection = entries[i] as string;
          const userId = entries[i + 1] as string;
          const last = await this.redis.eval(REMOVE, 3, k.conns, k.counts, k.profiles, connection, userId);
          if (last === 1) gone.push(userId);
        }
      } while (cursor !== "0");
      if (gone.length > 0) for (const handler of this.vanishedHandlers) handler(roomId, gone);
    }
    await this.redis.del(this.nodeRooms(nodeId));
    await this.redis.zrem(this.nodes, nodeId);
  }
}
