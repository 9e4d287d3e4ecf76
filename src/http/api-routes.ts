import {
  CreateRoomBody,
  HistoryQuery,
  InviteBody,
  OpenDirectBody,
  PeopleQuery,
  PersonId,
  RoomListQuery,
  SearchQuery,
  type SignInOptions,
} from "@parley/protocol";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { avatarSvg } from "../auth/avatar.js";
import type { CurrentUser, SignedIn } from "../auth/current-user.js";
import { isAllowedOrigin } from "../auth/origin.js";
import { type Administration, AdministrationRefusal } from "../chat/administration.js";
import { type ChatService, InvalidCursorError, RoomNotFoundError } from "../chat/chat-service.js";
import type { UserDirectory } from "../chat/ports.js";
import { MembershipRefusal, type MembershipRefusalReason } from "../chat/room-membership.js";
import { SearchQueryError } from "../chat/search/search-query.js";
import type { SearchService } from "../chat/search/search-service.js";
import { registerAdministrationRoutes, sendRefusal } from "./administration-routes.js";

export interface ApiRoutesOptions {
  chat: ChatService;
  /** Absent when search is turned off (SEARCH_INDEX=off): the route answers 503. */
  search?: SearchService;
  currentUser: CurrentUser;
  users: UserDirectory;
  signInOptions: SignInOptions;
  publicUrl: string;
  /** Roles, policy, room settings, people (admin slice). */
  administration: Administration;
}

function badRequest(reply: FastifyReply, error: z.ZodError) {
  return reply
    .code(400)
    .send({ error: "bad_request", message: error.issues[0]?.message ?? "invalid request" });
}

/** "3 h 20 min", "12 min", "40 s": a wait as a person reads it. */
function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const RoomIdParams = z.object({ roomId: z.string().min(1).max(64) });
const MemberParams = z.object({ roomId: z.string().min(1).max(64), userId: PersonId });

/**
 * rooms-access: the status of each membership refusal. A room the person may not read is 404,
 * exactly as a room that does not exist (404 hides existence; see docs/security.md).
 */
const REFUSAL_STATUS: Record<MembershipRefusalReason, number> = {
  not_found: 404,
  unknown_person: 404,
  not_member: 404,
  not_allowed: 403,
  direct_is_fixed: 409,
  bad_cursor: 400,
};

function refused(reply: FastifyReply, error: unknown) {
  if (!(error instanceof MembershipRefusal)) throw error;
  const code = error.reason === "bad_cursor" ? "bad_request" : error.reason;
  return reply.code(REFUSAL_STATUS[error.reason]).send({ error: code, message: error.message });
}
const SlugParams = z.object({ slug: z.string().min(1).max(64) });
const AvatarParams = z.object({ file: z.string().regex(/^.+\.svg$/) });

/** The REST API. Everything except the sign-in options needs a session and answers 401 without one. */
export function registerApiRoutes(app: FastifyInstance, options: ApiRoutesOptions): void {
  const { chat } = options;
  const signedInByRequest = new WeakMap<FastifyRequest, SignedIn>();

  app.get("/api/signin-options", async () => options.signInOptions);

  /** The signed-in person's id; the preHandler refused the request without one. */
  const userOf = (request: FastifyRequest): string => {
    const signedIn = signedInByRequest.get(request);
    if (!signedIn) throw new Error("a route under the session check ran without a session");
    return signedIn.member.id;
  };

  app.register(async (api) => {
    api.addHook("preHandler", async (request, reply) => {
      // Cookies are SameSite=Lax; refusing foreign origins also covers same-site sibling hosts.
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
      signedInByRequest.set(request, signedIn);
    });

    api.get("/api/me", async (request) => {
      const user = signedInByRequest.get(request)?.member;
      return { user, role: user ? await options.administration.roleOf(user.id) : "member" };
    });

    api.get("/api/rooms", async (request, reply) => {
      const query = RoomListQuery.safeParse(request.query);
      if (!query.success) return badRequest(reply, query.error);
      try {
        return await chat.listRooms(
          query.data.cursor,
          query.data.limit,
          query.data.archived ? "archived" : "active",
        );
      } catch (error) {
        if (error instanceof InvalidCursorError) {
          return reply.code(400).send({ error: "bad_request", message: error.message });
        }
        throw error;
      }
    });

    api.post("/api/rooms", async (request, reply) => {
      const body = CreateRoomBody.safeParse(request.body);
      if (!body.success) return badRequest(reply, body.error);
      const creator = signedInByRequest.get(request)?.member;
      if (!creator) return reply.code(401).send({ error: "unauthorized", message: "Sign in first." });
      let result: Awaited<ReturnType<ChatService["createRoom"]>>;
      try {
        result = await options.administration.createRoom(
          { kind: "person", id: creator.id, name: creator.name },
          body.data.name,
          body.data.kind,
        );
      } catch (error) {
        if (error instanceof AdministrationRefusal) return sendRefusal(reply, error);
        throw error;
      }
      switch (result.kind) {
        case "created":
          return reply.code(201).send({ room: result.room });
        case "name_taken":
          return reply.code(409).send({
            error: "room_name_taken",
            message: `A room named "${result.room.name}" already exists; pick another name or join that one.`,
            room: result.room,
          });
        case "rate_limited": {
          const retryAfter = Math.ceil(result.retryAfterMs / 1000);
          return reply
            .code(429)
            .header("retry-after", String(retryAfter))
            .send({
              error: "rate_limited",
              reason: "rooms_per_day",
              message: `You have created as many rooms as a day allows; try again in ${formatWait(retryAfter)}.`,
              // Milliseconds, as in every other refusal's body (the header is in seconds).
              retryAfter: result.retryAfterMs,
            });
        }
      }
    });

    api.get("/api/rooms/by-slug/:slug", async (request, reply) => {
      const params = SlugParams.safeParse(request.params);
      if (!params.success) return badRequest(reply, params.error);
      const room = await chat.roomBySlug(userOf(request), params.data.slug);
      if (!room) return reply.code(404).send({ error: "not_found", message: "There is no such room." });
      return { room };
    });

    api.get("/api/rooms/:roomId/messages", async (request, reply) => {
      const params = RoomIdParams.safeParse(request.params);
      if (!params.success) return badRequest(reply, params.error);
      const query = HistoryQuery.safeParse(request.query);
      if (!query.success) return badRequest(reply, query.error);
      const { before, around, limit } = query.data;
      try {
        if (around !== undefined) {
          if (before !== undefined) {
            return reply
              .code(400)
              .send({ error: "bad_request", message: "Ask for either `before` or `around`, not both." });
          }
          return await chat.historyAround(userOf(request), params.data.roomId, around, limit);
        }
        return await chat.history(userOf(request), params.data.roomId, before, limit);
      } catch (error) {
        if (error instanceof RoomNotFoundError) {
          return reply.code(404).send({ error: "not_found", message: "There is no such room." });
        }
        throw error;
      }
    });

    registerAdministrationRoutes(api, {
      administration: options.administration,
      signedIn: (request) => signedInByRequest.get(request),
    });

    // --- rooms-access: memberships, members, people, direct conversations ---
    api.get("/api/me/rooms", async (request) => ({ rooms: await chat.membership.roomsOf(userOf(request)) }));

    api.post("/api/rooms/:roomId/join", async (request, reply) => {
      const params = RoomIdParams.safeParse(request.params);
      if (!params.success) return badRequest(reply, params.error);
      try {
        return { room: await chat.membership.join(userOf(request), params.data.roomId) };
      } catch (error) {
        return refused(reply, error);
      }
    });

    api.post("/api/rooms/:roomId/leave", async (request, reply) => {
      const params = RoomIdParams.safeParse(request.params);
      if (!params.success) return badRequest(reply, params.error);
      try {
        await chat.membership.leave(userOf(request), params.data.roomId);
        return reply.code(204).send();
      } catch (error) {
        return refused(reply, error);
      }
    });

    api.get("/api/rooms/:roomId/members", async (request, reply) => {
      const params = RoomIdParams.safeParse(request.params);
      if (!params.success) return badRequest(reply, params.error);
      const query = PeopleQuery.safeParse(request.query);
      if (!query.success) return badRequest(reply, query.error);
      try {
        return await chat.membership.members(
          userOf(request),
          params.data.roomId,
          query.data.cursor,
          query.data.limit,
        );
      } catch (error) {
        return refused(reply, error);
      }
    });

    api.post("/api/rooms/:roomId/members", async (request, reply) => {
      const params = RoomIdParams.safeParse(request.params);
      if (!params.success) return badRequest(reply, params.error);
      const body = InviteBody.safeParse(request.body);
      if (!body.success) return badRequest(reply, body.error);
      try {
        const member = await chat.membership.invite(userOf(request), params.data.roomId, body.data.userId);
        return reply.code(200).send({ member });
      } catch (error) {
        return refused(reply, error);
      }
    });

    api.delete("/api/rooms/:roomId/members/:userId", async (request, reply) => {
      const params = MemberParams.safeParse(request.params);
      if (!params.success) return badRequest(reply, params.error);
      try {
        await chat.membership.remove(userOf(request), params.data.roomId, params.data.userId);
        return reply.code(204).send();
      } catch (error) {
        return refused(reply, error);
      }
    });

    api.get("/api/people", async (request, reply) => {
      const query = PeopleQuery.safeParse(request.query);
      if (!query.success) return badRequest(reply, query.error);
      try {
        return await chat.membership.people(query.data.q, query.data.cursor, query.data.limit);
      } catch (error) {
        return refused(reply, error);
      }
    });

    api.post("/api/direct", async (request, reply) => {
      const body = OpenDirectBody.safeParse(request.body);
      if (!body.success) return badRequest(reply, body.error);
      try {
        const { room, created } = await chat.membership.openDirect(userOf(request), body.data.userIds);
        return reply.code(created ? 201 : 200).send({ room });
      } catch (error) {
        return refused(reply, error);
      }
    });
    // --- end rooms-access ---

    // --- search (issue 16) ---
    api.get("/api/search", async (request, reply) => {
      const query = SearchQuery.safeParse(request.query);
      if (!query.success) {
        const issue = query.error.issues[0];
        const reason =
          issue?.path[0] !== "q"
            ? "bad_parameter"
            : issue.code === "too_big"
              ? "too_long"
              : issue.code === "too_small"
                ? "empty"
                : "bad_parameter";
        return reply
          .code(400)
          .send({ error: "bad_search", reason, message: issue?.message ?? "invalid search" });
      }
      const user = signedInByRequest.get(request)?.member;
      if (!user) return reply.code(401).send({ error: "unauthorized", message: "Sign in first." });
      if (!options.search) {
        return reply
          .code(503)
          .send({ error: "search_off", message: "Search is turned off on this server (SEARCH_INDEX=off)." });
      }
      const started = process.hrtime.bigint();
      try {
        const page = await options.search.search(user.id, query.data);
        // The time spent inside the server, for the browser's tools and the bench.
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        return reply.header("server-timing", `search;dur=${ms.toFixed(2)}`).send(page);
      } catch (error) {
        if (error instanceof SearchQueryError) {
          return reply.code(400).send({ error: "bad_search", reason: error.reason, message: error.message });
        }
        throw error;
      }
    });

    api.get("/api/avatars/:file", async (request, reply) => {
      const params = AvatarParams.safeParse(request.params);
      if (!params.success) return badRequest(reply, params.error);
      const userId = decodeURIComponent(params.data.file.slice(0, -".svg".length));
      const name = await options.users.displayName(userId);
      if (name === undefined) return reply.code(404).send({ error: "not_found", message: "No such user." });
      return reply
        .header("content-type", "image/svg+xml")
        .header("cache-control", "private, max-age=3600")
        .header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'")
        .send(avatarSvg(userId, name));
    });
  });
}
