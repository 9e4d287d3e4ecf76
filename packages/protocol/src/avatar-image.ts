/**
 * The hosts a member's picture may come from, named in the Content-Security-Policy's img-src
 * (decision 0010). Any other picture is dropped for the generated avatar, both when a user row
 * is written and when a member is shown (rows written before the rule), so the browser never
 * loads an image from a host the server did not choose.
 */
export const AVATAR_ORIGINS = ["https://avatars.githubusercontent.com", "https://*.googleusercontent.com"];

const AVATAR_HOSTS: Array<(host: string) => boolean> = [
  (host) => host === "avatars.githubusercontent.com",
  (host) => host.endsWith(".googleusercontent.com"),
];

/** The provider's picture when it is an https URL on an avatar host, otherwise null (the generated avatar). */
export function providerAvatar(image: string | null | undefined): string | null {
  if (!image) return null;
  let url: URL;
  try {
    url = new URL(image);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" || url.username || url.password || url.port) return null;
  return AVATAR_HOSTS.some((allowed) => allowed(url.hostname)) ? url.href : null;
}
