import {
  PeopleStatusQuery,
  UpdateRoleBody,
  UpdateRoomBody,
  UpdateWorkspaceSettingsBody,
} from "@parley/protocol";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { SignedIn } from "../auth/current-user.js";
import { type Administration, AdministrationRefusal, type RefusalCode } from "../chat/administration.js";
import type { Actor } from "../chat/administration-ports.js";

export interface AdministrationRoutesOptions {
  administration: Administration;
  /** The signed-in person of a request that passed the API's session check. */
  signedIn(request: FastifyRequest): SignedIn | undefined;
}

const STATUS: Record<RefusalCode, number> = {
  forbidden: 403,
  room_creation_restricted: 403,
  not_found: 404,
  room_name_taken: 409,
  conflict: 409,
};

const RoomIdParams = z.object({ roomId: z.string().min(1).max(64) });
const PersonParams = z.object({ personId: z.string().min(1).max(64) });

function badRequest(reply: FastifyReply, error: z.ZodError) {
  return reply
    .code(400)
    .send({ error: "bad_request", message: error.issues[0]?.message ?? "invalid request" });
}

/** An administration refusal as the API answers it: its code, a status, a sentence. */
export function sendRefusal(reply: FastifyReply, refusal: AdministrationRefusal) {
  return reply.code(STATUS[refusal.code]).send({ error: refusal.code, message: refusal.message });
}

/** The person behind a request, as the audit trail names them. */
export function actorOf(signedIn: SignedIn): Actor {
  return { kind: "person", id: signedIn.member.id, name: signedIn.member.name };
}

/**
 * Roles, workspace settings, room settings and people (profile card, status, deactivation).
 * Registered inside the API's scope, so every route here already has a session (401 otherwise).
 */
export function registerAdministrationRoutes(
  api: FastifyInstance,
  options: AdministrationRoutesOptions,
): void {
  const { administration } = options;
  /** Runs `work` as the request's person; refusals become their status, anything else goes on. */
  const asActor = async <T>(
    request: FastifyRequest,
    reply: FastifyReply,
    work: (actor: Actor) => Promise<T>,
  ): Promise<T | FastifyReply> => {
    const signedIn = options.signedIn(request);
    if (!signedIn) return reply.code(401).send({ error: "unauthorized", message: "Sign in first." });
    try {
      return await work(actorOf(signedIn));
    } catch (error) {
      if (error instanceof AdministrationRefusal) return sendRefusal(reply, error);
      throw error;
    }
  };

  api.get("/api/workspace/settings", async () => ({
    roomCreation: await administration.roomCreationPolicy(),
  }));

  api.put("/api/workspace/settings", async (request, reply) => {
    const body = UpdateWorkspaceSettingsBody.safeParse(request.body);
    if (!body.success) return badRequest(reply, body.error);
    return asActor(request, reply, async (actor) => {
      await administration.setRoomCreationPolicy(actor, body.data.roomCreation);
      return { roomCreation: body.data.roomCreation };
    });
  });

  api.patch("/api/rooms/:roomId", async (request, reply) => {
    const params = RoomIdParams.safeParse(request.params);
    if (!params.success) return badRequest(reply, params.error);
    const body = UpdateRoomBody.safeParse(request.body);
    if (!body.success) return badRequest(reply, body.error);
    return asActor(request, reply, async (actor) => ({
      room: await administration.updateRoom(actor, params.data.roomId, body.data),
    }));
  });

  api.delete("/api/rooms/:roomId", async (request, reply) => {
    const params = RoomIdParams.safeParse(request.params);
    if (!params.success) return badRequest(reply, params.error);
    return asActor(request, reply, async (actor) => {
      await administration.deleteRoom(actor, params.data.roomId);
      return reply.code(204).send();
    });
  });

  api.get("/api/people/status", async (request, reply) => {
    const query = PeopleStatusQuery.safeParse(request.query);
    if (!query.success) return badRequest(reply, query.error);
    const statuses = await administration.statuses(query.data.ids);
    return { statuses: Object.fromEntries(statuses) };
  });

  api.get("/api/people/:personId", async (request, reply) => {
    const params = PersonParams.safeParse(request.params);
    if (!params.success) return badRequest(reply, params.error);
    const person = await administration.profile(params.data.personId);
    if (!person) return reply.code(404).send({ error: "not_found", message: "There is no such person." });
    return { person };
  });

  api.put("/api/people/:personId/role", async (request, reply) => {
    const params = PersonParams.safeParse(request.params);
    if (!params.success) return badRequest(reply, params.error);
    const body = UpdateRoleBody.safeParse(request.body);
    if (!body.success) return badRequest(reply, body.error);
    return asActor(request, reply, async (actor) => {
      if (body.data.role === "administrator")
        await administration.grantAdministrator(actor, params.data.personId);
      else await administration.revokeAdministrator(actor, params.data.personId);
      return { person: await administration.profile(params.data.personId) };
    });
  });

  for (const action of ["deactivate", "reactivate"] as const) {
    api.post(`/api/people/:personId/${action}`, async (request, reply) => {
      const params = PersonParams.safeParse(request.params);
      if (!params.success) return badRequest(reply, params.error);
      return asActor(request, reply, async (actor) => {
        if (action === "deactivate") await administration.deactivate(actor, params.data.personId);
        else await administration.reactivate(actor, params.data.personId);
        return { person: await administration.profile(params.data.personId) };
      });
    });
  }
}
