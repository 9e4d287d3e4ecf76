import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Auth } from "../auth/auth.js";
import { toFetchHeaders } from "../auth/current-user.js";
import { type DownDependency, UNAVAILABLE_RETRY_AFTER_SECONDS } from "./unavailable-errors.js";

export interface AuthRoutesOptions {
  auth: Auth;
  publicUrl: string;
  /** While a dependency is down, better-auth's server errors are answered 503 (an outage, not a bug). */
  down?: DownDependency;
}

function requestBody(request: FastifyRequest): string | undefined {
  if (request.method === "GET" || request.method === "HEAD" || request.body === undefined) return undefined;
  return typeof request.body === "string" ? request.body : JSON.stringify(request.body);
}

async function forward(options: AuthRoutesOptions, request: FastifyRequest, reply: FastifyReply) {
  const { auth, publicUrl } = options;
  const response = await auth.handler(
    new Request(new URL(request.url, publicUrl), {
      method: request.method,
      headers: toFetchHeaders(request.headers),
      body: requestBody(request),
    }),
  );
  const dependency = response.status >= 500 ? options.down?.() : undefined;
  if (dependency) {
    return reply
      .code(503)
      .header("retry-after", String(UNAVAILABLE_RETRY_AFTER_SECONDS))
      .send({
        error: "unavailable",
        message: `The server cannot reach its ${dependency} right now. Try again shortly.`,
      });
  }
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
    handler: (request, reply) => forward(options, request, reply),
  });
}
