/**
 * A browser always sends Origin on a WebSocket upgrade; it must be the app's own (the public
 * URL, or the host the request was made to). Non-browser clients send none and still need a session.
 */
export function isAllowedOrigin(
  origin: string | undefined,
  host: string | undefined,
  publicUrl: string,
): boolean {
  if (origin === undefined) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  return parsed.origin === new URL(publicUrl).origin || (host !== undefined && parsed.host === host);
}
