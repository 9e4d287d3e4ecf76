/**
 * A real OpenID Connect issuer (oauth2-mock-server) as its own process, for the production path
 * test: `node --import tsx test/support/oidc-issuer-process.ts <port> <profile.json>`. Whoever
 * signs in next gets the profile that the JSON file holds at that moment, so a test rewrites the
 * file before each person's sign-in. Prints "ready <issuer url>" once it listens.
 */
import { readFileSync } from "node:fs";
import { OAuth2Server } from "oauth2-mock-server";

const [portText, profilePath] = process.argv.slice(2);
if (!portText || !profilePath) throw new Error("usage: oidc-issuer-process <port> <profile.json>");

const profile = () => JSON.parse(readFileSync(profilePath, "utf8")) as Record<string, unknown>;
const server = new OAuth2Server();
await server.issuer.keys.generate("RS256");
server.service.on("beforeTokenSigning", (token) => {
  Object.assign(token.payload, profile());
});
server.service.on("beforeUserinfo", (userInfo) => {
  userInfo.body = { ...profile() };
});
await server.start(Number(portText), "127.0.0.1");
console.log(`ready ${server.issuer.url}`);
process.once("SIGTERM", () => {
  server.stop().then(() => process.exit(0));
});
