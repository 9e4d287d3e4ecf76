import fastifyHelmet from "@fastify/helmet";
import { AVATAR_ORIGINS } from "@parley/protocol";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import helmet from "helmet";

/**
 * Features the app never uses, switched off so an injected script or a framed page cannot ask
 * for them either.
 */
const PERMISSIONS_POLICY = [
  "accelerometer=()",
  "autoplay=()",
  "camera=()",
  "display-capture=()",
  "geolocation=()",
  "gyroscope=()",
  "magnetometer=()",
  "microphone=()",
  "midi=()",
  "payment=()",
  "publickey-credentials-get=()",
  "screen-wake-lock=()",
  "serial=()",
  "usb=()",
  "xr-spatial-tracking=()",
].join(", ");

/** The Content-Security-Policy directives of every response (docs/security.md, decision 0010). */
export function contentSecurityPolicy(publicUrl: string): Record<string, string[]> {
  const origin = new URL(publicUrl);
  const socketOrigin = `${origin.protocol === "https:" ? "wss:" : "ws:"}//${origin.host}`;
  return {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    // data: for the SVG favicon and any inline image the bundle carries; avatars from the providers' hosts.
    "img-src": ["'self'", "data:", ...AVATAR_ORIGINS],
    "font-src": ["'self'"],
    "connect-src": ["'self'", socketOrigin],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
  };
}

export interface SecurityHeadersOptions {
  publicUrl: string;
}

/** HSTS only when the public URL is https: a browser that saw it on plain http would lock itself out of a test install. */
function helmetOptions(publicUrl: string) {
  const https = publicUrl.startsWith("https:");
  return {
    contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy(publicUrl) },
    crossOriginOpenerPolicy: { policy: "same-origin" as const },
    crossOriginResourcePolicy: { policy: "same-origin" as const },
    // Off: provider avatars are cross-origin images that send no CORP header.
    crossOriginEmbedderPolicy: false as const,
    referrerPolicy: { policy: "same-origin" as const },
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : (false as const),
    xFrameOptions: { action: "deny" as const },
  };
}

/**
 * Security headers on every response fastify sends: pages, assets, the API, auth routes, 404s
 * and errors alike (helmet's onRequest hook at the root, decision 0010).
 */
export async function registerSecurityHeaders(
  app: FastifyInstance,
  options: SecurityHeadersOptions,
): Promise<void> {
  await app.register(fastifyHelmet, { global: true, ...helmetOptions(options.publicUrl) });
  app.addHook("onRequest", async (_request, reply) => {
    reply.header("permissions-policy", PERMISSIONS_POLICY);
  });
}

/**
 * The same security headers as name → value pairs, for answers written on a raw socket (a
 * refused WebSocket upgrade) where no fastify hook runs. Taken from helmet itself, once, so
 * they cannot drift from what every HTTP response carries.
 */
export function securityHeaderValues(publicUrl: string): Record<string, string> {
  const headers: Record<string, string> = {};
  const collector = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  const apply = helmet(helmetOptions(publicUrl)) as unknown as (
    request: object,
    response: typeof collector,
    next: (error?: unknown) => void,
  ) => void;
  apply({}, collector, (error) => {
    if (error) throw error;
  });
  headers["permissions-policy"] = PERMISSIONS_POLICY;
  return headers;
}

/**
 * fastify's `frameworkErrors` option: the few answers it makes before any hook runs (a URL it
 * cannot decode) get the same headers and a clear 400.
 */
export function frameworkErrorHandler(publicUrl: string) {
  const apply = helmet(helmetOptions(publicUrl));
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    apply(request.raw, reply.raw, () => undefined);
    return reply
      .code(400)
      .header("permissions-policy", PERMISSIONS_POLICY)
      .send({ error: "bad_request", message: error.message });
  };
}
