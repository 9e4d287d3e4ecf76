import type { IncomingHttpHeaders } from "node:http";
import { UpdateProfileBody } from "@parley/protocol";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";
import { type Auth, CLIENT_ADDRESS_HEADER, REQUEST_ID_HEADER } from "../auth/auth.js";
import { toFetchHeaders } from "../auth/current-user.js";
import type { RedisSessionStorage } from "../auth/redis-session-storage.js";
import { type DownDependency, UNAVAILABLE_RETRY_AFTER_SECONDS } from "./unavailable-errors.js";

export interface AuthRoutesOptions {
  auth: Auth;
  publicUrl: string;
  /** With Redis: session deletes go to Redis after the request's SQL writes (decision 0011). */
  sessionStore?: RedisSessionStorage;
  /** Whose session a sign-out ends, and whether SQL still holds it afterwards. */
  sessions?: SessionCheck;
  /** While a dependency is down, better-auth's server errors are answered 503 (an outage, not a bug). */
  down?: DownDependency;
}

export interface SessionCheck {
  /** The session the request's cookie names, and whose it is. */
  currentSession(headers: IncomingHttpHeaders): Promise<{ sessionId: string; userId: string } | null>;
  isLive(sessionId: string): Promise<boolean>;
}

/** Routes that end sessions: when Redis could not take their deletes, the person is told. */
const SESSION_ENDING_PATHS = new Set([
  "/api/auth/sign-out",
  "/api/auth/revoke-session",
  "/api/auth/revoke-sessions",
  "/api/auth/revoke-other-sessions",
  "/api/auth/delete-user",
]);

function requestBody(request: FastifyRequest): string | undefined {
  if (request.method === "GET" || request.method === "HEAD" || request.body === undefined) return undefined;
  return typeof request.body === "string" ? request.body : JSON.stringify(request.body);
}

/** Headers a client could write to pass for someone else (or another request); better-auth never sees them. */
const FORWARDING_HEADERS = [
  "x-forwarded-for",
  "forwarded",
  "x-real-ip",
  CLIENT_ADDRESS_HEADER,
  REQUEST_ID_HEADER,
];

/**
 * The request's headers for better-auth, with the client address fastify resolved under
 * TRUST_PROXY (the socket's, or the one a trusted proxy appended) in the one header better-auth
 * reads it from: its rate limits then keep one bucket per address.
 */
function authHeaders(request: FastifyRequest): Headers {
  const headers = toFetchHeaders(request.headers);
  for (const name of FORWARDING_HEADERS) headers.delete(name);
  headers.set(CLIENT_ADDRESS_HEADER, request.ip);
  headers.set(REQUEST_ID_HEADER, request.id);
  return headers;
}

/** The provider a sign-in route is for: /sign-in/anonymous (dev), /callback/:id (every provider). */
function signInProvider(pathname: string): string | undefined {
  if (pathname === "/api/auth/sign-in/anonymous") return "dev";
  const callback = /^\/api\/auth\/(?:oauth2\/)?callback\/([^/]+)$/.exec(pathname)?.[1];
  if (callback === undefined) return undefined;
  // The client writes this path: a name that cannot be a provider's id is not logged as it is.
  return /^[A-Za-z0-9_-]{1,64}$/.test(callback) ? callback : "unknown";
}

/** An error code as better-auth writes them; anything else (a client's own text) is not logged. */
const ERROR_CODE = /^[A-Za-z0-9_]{1,64}$/;

/**
 * Why a sign-in failed, as better-auth says it: the `error` of the page it redirects to, or the
 * code of its JSON refusal. Only codes of that shape, never other values of the request. A
 * response that sets a session cookie is a sign-in, whatever its redirect's address holds (the
 * client chooses the callback URL).
 */
async function signInFailure(response: Response): Promise<string | undefined> {
  const signedIn = response.headers
    .getSetCookie()
    .some((cookie) => /session_token=[^;]/.test(cookie.split(";")[0] ?? ""));
  if (signedIn) return undefined;
  const location = response.headers.get("location");
  if (response.status >= 300 && response.status < 400 && location) {
    const error = new URL(location, "http://parley.invalid").searchParams.get("error");
    if (error === null) return undefined;
    return ERROR_CODE.test(error) ? error : "unknown";
  }
  if (response.status < 400) return undefined;
  const body = (await response
    .clone()
    .json()
    .catch(() => undefined)) as { code?: unknown } | undefined;
  return typeof body?.code === "string" && ERROR_CODE.test(body.code)
    ? body.code
    : `status_${response.status}`;
}

/** Bodies checked against the protocol's schemas before better-auth sees them. */
const BODY_RULES = new Map<string, z.ZodType>([["/api/auth/update-user", UpdateProfileBody]]);

async function forward(options: AuthRoutesOptions, request: FastifyRequest, reply: FastifyReply) {
  const url = new URL(request.url, options.publicUrl);
  let body = requestBody(request);
  const rule = BODY_RULES.get(url.pathname);
  if (rule) {
    const parsed = rule.safeParse(request.body);
    if (!parsed.success) {
      const message = parsed.error.issues[0]?.message ?? "invalid request";
      return reply.code(400).send({ error: "bad_request", message });
    }
    body = JSON.stringify(parsed.data);
  }
  const { sessions } = options;
  const signingOut =
    url.pathname === "/api/auth/sign-out" && sessions
      ? await sessions.currentSession(request.headers).catch(() => null)
      : null;
  const provider = signInProvider(url.pathname);
  const handle = () =>
    options.auth.handler(new Request(url, { method: request.method, headers: authHeaders(request), body }));
  let response: Response;
  let storeFailed = false;
  if (options.sessionStore) {
    const { result, outcome } = await options.sessionStore.deletesAfter(handle);
    response = result;
    storeFailed = outcome.failedDeletes > 0;
  } else {
    response = await handle();
  }
  // A successful sign-in is logged by better-auth's session hook, with the user id (decision 0047).
  if (provider) {
    const reason = response.status === 429 ? "rate_limited" : await signInFailure(response);
    if (reason) request.log.warn({ provider, reason }, "sign-in failed");
  }
  if (response.status === 429) return tooManyRequests(response, reply);
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
  // better-auth answers 200 even when its SQL delete failed (it logs and carries on).
  if (signingOut && sessions && response.ok) {
    if (await sessions.isLive(signingOut.sessionId).catch(() => true)) {
      request.log.warn({ userId: signingOut.userId }, "sign-out failed");
      return signOutFailed(reply);
    }
    request.log.info({ userId: signingOut.userId }, "signed out");
  }
  if (storeFailed && response.ok && SESSION_ENDING_PATHS.has(url.pathname)) {
    return sessionStoreUnavailable(response, reply);
  }
  reply.status(response.status);
  for (const [name, value] of response.headers) {
    if (name !== "set-cookie") reply.header(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) reply.header("set-cookie", cookies);
  return reply.send(response.body ? Buffer.from(await response.arrayBuffer()) : null);
}

/**
 * The database did not delete the session, so it still works: the person is told, and keeps the
 * cookie, so a retry can end it.
 */
function signOutFailed(reply: FastifyReply) {
  return reply.code(503).header("retry-after", "5").send({
    error: "sign_out_failed",
    message:
      "You could not be signed out: the database is unavailable and the session still works. Try again.",
  });
}

/**
 * The session ended in SQL, which every session check consults, so it no longer works anywhere;
 * but Redis was away and still holds a copy until it is back. Said plainly rather than a 200,
 * with the cookie cleared all the same.
 */
function sessionStoreUnavailable(response: Response, reply: FastifyReply) {
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) reply.header("set-cookie", cookies);
  return reply.code(503).header("retry-after", "5").send({
    error: "session_store_unavailable",
    message:
      "The session has ended and can no longer be used, but the session cache (Redis) is unavailable and will be cleared when it is back.",
  });
}

/** better-auth's refusal, with the standard Retry-After header and a message that says when. */
function tooManyRequests(response: Response, reply: FastifyReply) {
  const seconds = Math.max(1, Number.parseInt(response.headers.get("x-retry-after") ?? "", 10) || 10);
  return reply
    .code(429)
    .header("retry-after", String(seconds))
    .send({
      error: "rate_limited",
      message: `Too many sign-in requests from your address. Try again in ${seconds} s.`,
      retryAfter: seconds * 1000,
    });
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
