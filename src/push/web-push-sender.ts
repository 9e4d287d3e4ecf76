import type { PushPayload } from "@parley/protocol";
import webpush from "web-push";
import type { PushSender } from "../chat/ports.js";
import type { PushSubscriptionRepository } from "../storage/push-subscription-repository.js";

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  /** `mailto:` or `https:` contact the push services may use. */
  subject: string;
}

export interface PushLog {
  warn(fields: Record<string, unknown>, message: string): void;
  debug(fields: Record<string, unknown>, message: string): void;
}

/** Push requests in flight at once per send (a `@room` in a big room must not open hundreds of sockets). */
const CONCURRENCY = 8;
/** A push service slower than this is given up on for this message. */
const REQUEST_TIMEOUT_MS = 10_000;
/** How long a push service keeps a message for an offline device (seconds). */
const TIME_TO_LIVE_SECONDS = 24 * 60 * 60;

/**
 * Web Push with the `web-push` library (decision 0038): it signs the VAPID JWT and encrypts the
 * payload (aes128gcm); we send the request ourselves with fetch, so it is bounded in time and
 * concurrency. A 404 or 410 means the subscription is gone: it is removed. Logs name the push
 * service's host and status, never the payload (which holds message text).
 */
export class WebPushSender implements PushSender {
  constructor(
    private readonly subscriptions: PushSubscriptionRepository,
    private readonly vapid: VapidKeys,
    private readonly log: PushLog,
  ) {}

  async send(userIds: readonly string[], payload: PushPayload): Promise<void> {
    const targets = await this.subscriptions.forUsers(userIds);
    const body = JSON.stringify(payload);
    let next = 0;
    const worker = async () => {
      while (next < targets.length) {
        const target = targets[next++];
        if (target) await this.deliver(target, body);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, targets.length) }, worker));
  }

  private async deliver(
    target: { id: string; endpoint: string; keys: { p256dh: string; auth: string } },
    body: string,
  ): Promise<void> {
    const host = safeHost(target.endpoint);
    try {
      const request = webpush.generateRequestDetails({ endpoint: target.endpoint, keys: target.keys }, body, {
        vapidDetails: this.vapid,
        contentEncoding: "aes128gcm",
        TTL: TIME_TO_LIVE_SECONDS,
        urgency: "high",
      });
      const response = await fetch(request.endpoint, {
        method: request.method,
        headers: request.headers,
        body: request.body ? new Uint8Array(request.body) : null,
        redirect: "manual",
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      await response.body?.cancel();
      if (response.status === 404 || response.status === 410) {
        await this.subscriptions.removeGone(target.id);
        this.log.debug({ host, status: response.status }, "push subscription gone; removed");
      } else if (!response.ok) {
        this.log.warn({ host, status: response.status }, "push service refused a message");
      }
    } catch (error) {
      this.log.warn({ host, error: error instanceof Error ? error.name : "error" }, "push failed");
    }
  }
}

function safeHost(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return "(invalid)";
  }
}

/** A new VAPID key pair (URL-safe base64), as web-push makes them. */
export function generateVapidKeys(): { publicKey: string; privateKey: string } {
  return webpush.generateVAPIDKeys();
}
