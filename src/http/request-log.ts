/** The parts of a request the access log reads (a FastifyRequest has them all). */
export interface LoggedRequest {
  method?: string;
  url?: string;
  ip?: string;
  host?: string;
  socket?: { remotePort?: number | undefined } | undefined;
}

/**
 * What the log line of a request says: method, path, host and client address (as TRUST_PROXY
 * resolves it). Never headers (cookies, authorization), never a body, and no query string under
 * /api/auth, where it carries OAuth codes and state.
 */
export function requestLogFields(request: LoggedRequest) {
  const url = request.url ?? "";
  const queryAt = url.indexOf("?");
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  return {
    method: request.method,
    url: queryAt !== -1 && path.startsWith("/api/auth/") ? `${path}?…` : url,
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
