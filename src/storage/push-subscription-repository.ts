import { createHash } from "node:crypto";
import type { PushSubscriptionBody } from "@parley/protocol";
import type { Kysely } from "kysely";
import type { Database } from "./schema.js";
import { isUniqueViolation } from "./unique-violation.js";

export interface StoredPushSubscription {
  id: string;
  userId: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** Subscriptions kept per device at most this many per person; the oldest go first. */
export const MAX_PUSH_SUBSCRIPTIONS_PER_USER = 20;

/** The key of a subscription: its endpoint, hashed (endpoints are long URLs). */
export function subscriptionId(endpoint: string): string {
  return createHash("sha256").update(endpoint).digest("hex");
}

/** Web Push subscriptions, one per device (endpoint); a device signed in as someone else moves to them. */
export class PushSubscriptionRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number = Date.now,
  ) {}

  async save(userId: string, subscription: PushSubscriptionBody): Promise<void> {
    const id = subscriptionId(subscription.endpoint);
    const row = {
      user_id: userId,
      endpoint: subscription.endpoint,
      p256dh: subscription.keys.p256dh,
      auth: subscription.keys.auth,
    };
    const updated = await this.db
      .updateTable("push_subscriptions")
      .set(row)
      .where("id", "=", id)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) {
      try {
        await this.db
          .insertInto("push_subscriptions")
          .values({ id, ...row, created_at: this.now() })
          .execute();
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        await this.db.updateTable("push_subscriptions").set(row).where("id", "=", id).execute();
      }
    }
    await this.trim(userId);
  }

  /** Forgets a device; only its owner may (or the push service, through `removeGone`). */
  async remove(userId: string, endpoint: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("push_subscriptions")
      .where("id", "=", subscriptionId(endpoint))
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The push service said this subscription is gone (404/410). */
  async removeGone(id: string): Promise<void> {
    await this.db.deleteFrom("push_subscriptions").where("id", "=", id).execute();
  }

  async forUsers(userIds: readonly string[]): Promise<StoredPushSubscription[]> {
    if (userIds.length === 0) return [];
    const rows = await this.db
      .selectFrom("push_subscriptions")
      .select(["id", "user_id", "endpoint", "p256dh", "auth"])
      .where("user_id", "in", userIds)
      .execute();
    return rows.map((row) => ({
      id: row.id,
      userId: row.user_id,
      endpoint: row.endpoint,
      keys: { p256dh: row.p256dh, auth: row.auth },
    }));
  }

  private async trim(userId: string): Promise<void> {
    const rows = await this.db
      .selectFrom("push_subscriptions")
      .select("id")
      .where("user_id", "=", userId)
      .orderBy("created_at", "desc")
      .orderBy("id")
      .execute();
    const extra = rows.slice(MAX_PUSH_SUBSCRIPTIONS_PER_USER).map((row) => row.id);
    if (extra.length > 0) await this.db.deleteFrom("push_subscriptions").where("id", "in", extra).execute();
  }
}
