import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Auth } from "../auth/auth.js";
import { toFetchHeaders } from "../auth/current-user.js";

export interface AuthRoutesOptions {
  auth: Auth;
  publicUrl: string;
}

function requestBody(request: FastifyRequest): string | undefined {
  if (request.method === "GET" || request.method === "HEAD" || request.body === undefined) return undefined;
  return typeof request.body === "string" ? request.body : JSON.stringify(request.body);
}

async function forward(auth: Auth, publicUrl: string, request: FastifyRequest, reply: FastifyReply) {
  const response = await auth.handler(
    new Request(new URL(request.url, publicUrl), {
      method: request.method,
      headers: toFetchHeaders(request.headers),
      body: requestBody(request),
    }),
  );
  reply.status(response.status);
  for (const [name, value] of response.headers) {
    if (name !== "set-cookie") reply.header(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) reply.header("set-cookie", cookies);
  return reply.send(response.body ? Buffer.from(await response.arrayBuffer()) : null);
}

/** better-auth answers everything under /api/auth. */
export function registerAuthRoutes(app: FastifyInstance, options: AuthRoutesOptions): void {
  // OAuth providers may post their callback as a form.
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string" },
    (_request, body, done) => done(null, body),
  );

  app.route({
    method: ["GET", "POST"],
    url: "/api/auth/*",
    handler: (request, reply) => forward(options.auth, options.publicUrl, request, reply),
  });
}
