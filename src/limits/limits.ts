import type { Redis } from "ioredis";
import {
  BurstyRateLimiter,
  type IRateLimiterOptions,
  RateLimiterMemory,
  RateLimiterRedis,
} from "rate-limiter-flexible";
import type { ActionLimiter, RoomCreationLimiter, SendRateLimiter } from "../chat/ports.js";
import { FlexibleActionLimiter } from "./flexible-limiter.js";

export interface LimitSettings {
  /** Sends per person per second, sustained. */
  messageRatePerSecond: number;
  /** Sends a quiet person may make at once (at least the rate). */
  messageBurst: number;
  /** Rooms a person may create per day. */
  roomsPerDay: number;
  /** Edits, deletions and reactions per person per minute (edits, issue 15 part A). */
  changesPerMinute: number;
}

export interface Limits {
  sends: SendRateLimiter;
  roomCreations: RoomCreationLimiter;
  changes: ActionLimiter;
}

const DAY_SECONDS = 24 * 60 * 60;

/**
 * The per-person limits, counted in Redis when there is one (so they hold across every node and
 * worker) and in this process's memory otherwise. While Redis is away each node counts alone
 * (the library's insurance limiter) rather than refusing everyone or letting everything through.
 */
export function createLimits(settings: LimitSettings, redis?: { client: Redis; keyPrefix: string }): Limits {
  const limiter = (options: IRateLimiterOptions & { keyPrefix: string }) => {
    const memory = new RateLimiterMemory(options);
    if (!redis) return memory;
    return new RateLimiterRedis({
      ...options,
      keyPrefix: `${redis.keyPrefix}limit:${options.keyPrefix}`,
      storeClient: redis.client,
      rejectIfRedisNotReady: true,
      insuranceLimiter: memory,
    });
  };
  // A token bucket of `burst` tokens refilled at `rate` per second, in the library's terms: `rate`
  // per one-second window, and once those are spent the rest of the burst from a second allowance
  // that renews in the time the bucket would take to refill (decision 0013).
  const rate = settings.messageRatePerSecond;
  const burst = Math.max(settings.messageBurst, rate);
  const steady = limiter({ keyPrefix: "send", points: rate, duration: 1 });
  const sends =
    burst > rate
      ? new BurstyRateLimiter(
          steady,
          limiter({ keyPrefix: "send-burst", points: burst - rate, duration: Math.ceil(burst / rate) }),
        )
      : steady;
  const roomCreations = limiter({ keyPrefix: "rooms", points: settings.roomsPerDay, duration: DAY_SECONDS });
  const changes = limiter({ keyPrefix: "changes", points: settings.changesPerMinute, duration: 60 });
  return {
    sends: new FlexibleActionLimiter(sends),
    roomCreations: new FlexibleActionLimiter(roomCreations),
    changes: new FlexibleActionLimiter(changes),
  };
}
