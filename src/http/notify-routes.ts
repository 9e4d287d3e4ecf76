import {
  MentionsQuery,
  NotificationLevelBody,
  PushSubscriptionBody,
  type PushSubscriptionBody as PushSubscriptionBodyType,
  PushUnsubscribeBody,
} from "@parley/protocol";
import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import type { CurrentUser } from "../auth/current-user.js";
import { isAllowedOrigin } from "../auth/origin.js";
import { type NotifyService, RoomNotReadableError } from "../chat/notify-service.js";

/** Where the browser's push subscriptions are kept (the storage adapter implements it). */
export interface PushSubscriptionBook {
  save(userId: string, subscription: PushSubscriptionBodyType): Promise<void>;
  remove(userId: string, endpoint: string): Promise<boolean>;
}

export interface NotifyRoutesOptions {
  notify: NotifyService;
  currentUser: CurrentUser;
  publicUrl: string;
  subscriptions: PushSubscriptionBook;
  vapidPublicKey: string;
  /** Outside production a loopback push service stand-in may use plain http. */
  allowHttpPushEndpoints: boolean;
}

const RoomIdParams = z.object({ roomId: z.string().min(1).max(64) });

function badRequest(reply: FastifyReply, error: z.ZodError) {
  return reply
    .code(400)
    .send({ error: "bad_request", message: error.issues[0]?.message ?? "invalid request" });
}

function notFound(reply: FastifyReply) {
  // The same answer whether the room does not exist or is not readable (decision in rooms-access: 404).
  return reply.code(404).send({ error: "not_found", message: "There is no such room." });
}

/**
 * The notify slice's REST routes: room members (autocomplete), recent mentions, the notification
 * level per room, and this device's Web Push subscription. All need a session; rooms are checked
 * through RoomAccess (in NotifyService).
 */
export function registerNotifyRoutes(app: FastifyInstance, options: NotifyRoutesOptions): void {
  const { notify } = options;
  app.register(async (api) => {
    const userIds = new WeakMap<object, string>();
    api.addHook("preHandler", async (request, reply) => {
      if (
        request.method !== "GET" &&
        !isAllowedOrigin(request.headers.origin, request.headers.host, options.publicUrl)
      ) {
        return reply
          .code(403)
          .send({ error: "forbidden_origin", message: "Requests from this origin are refused." });
      }
      const signedIn = await options.currentUser.lookup(request.headers);
      if (!signedIn) return reply.code(401).send({ error: "unauthorized", message: "Sign in first." });
      userIds.set(request, signedIn.member.id);
    });
    const userOf = (request: object) => userIds.get(request) ?? "";

    api.get("/api/mentions", async (request, reply) => {
      const query = MentionsQuery.safeParse(request.query);
      if (!query.success) return badRequest(reply, query.error);
      return { mentions: await notify.recentMentions(userOf(request), query.data.limit) };
    });

    api.get("/api/rooms/:roomId/notification-level", async (request, reply) => {
      const params = RoomIdParams.safeParse(request.params);
      if (!params.success) return badRequest(reply, params.error);
      try {
        return await notify.level(userOf(request), params.data.roomId);
      } catch (error) {
        if (error instanceof RoomNotReadableError) return notFound(reply);
        throw error;
      }
    });

    api.put("/api/rooms/:roomId/notification-level", async (request, reply) => {
      const params = RoomIdParams.safeParse(request.params);
      if (!params.success) return badRequest(reply, params.error);
      const body = NotificationLevelBody.safeParse(request.body);
      if (!body.success) return badRequest(reply, body.error);
      try {
        return await notify.setLevel(userOf(request), params.data.roomId, body.data.level);
      } catch (error) {
        if (error instanceof RoomNotReadableError) return notFound(reply);
        throw error;
      }
    });

    api.get("/api/push/public-key", async () => ({ publicKey: options.vapidPublicKey }));

    api.post("/api/push/subscriptions", async (request, reply) => {
      const body = PushSubscriptionBody.safeParse(request.body);
      if (!body.success) return badRequest(reply, body.error);
      const protocol = new URL(body.data.endpoint).protocol;
      // The server will POST to this address: only a push service's https, never an inside address by http.
      if (protocol !== "https:" && !(protocol === "http:" && options.allowHttpPushEndpoints)) {
        return reply
          .code(400)
          .send({ error: "bad_request", message: "A push endpoint must be an https:// URL." });
      }
      await options.subscriptions.save(userOf(request), body.data);
      return reply.code(201).send({ saved: true });
    });

    api.post("/api/push/unsubscribe", async (request, reply) => {
      const body = PushUnsubscribeBody.safeParse(request.body);
      if (!body.success) return badRequest(reply, body.error);
      await options.subscriptions.remove(userOf(request), body.data.endpoint);
      return reply.code(204).send();
    });
  });
}
