import { type RateLimiterAbstract, RateLimiterRes } from "rate-limiter-flexible";
import type { ActionLimiter, Allowance } from "../chat/ports.js";

/** Anything that consumes points by key as rate-limiter-flexible's limiters do (BurstyRateLimiter too). */
export type PointConsumer = Pick<RateLimiterAbstract, "consume">;

/** An ActionLimiter over a rate-limiter-flexible limiter: one point per action, keyed by person. */
export class FlexibleActionLimiter implements ActionLimiter {
  constructor(private readonly limiter: PointConsumer) {}

  async take(personId: string): Promise<Allowance> {
    try {
      await this.limiter.consume(personId, 1);
      return { allowed: true };
    } catch (rejection) {
      // The library rejects with its result object when out of points, with an Error when its store failed.
      if (rejection instanceof RateLimiterRes) {
        return { allowed: false, retryAfterMs: Math.max(1, Math.ceil(rejection.msBeforeNext)) };
      }
      throw rejection;
    }
  }
}
