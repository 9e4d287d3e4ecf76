import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { type Dispatcher, getGlobalDispatcher, MockAgent, setGlobalDispatcher } from "undici";
import { oauthSignIn } from "./oauth-flow.js";

/**
 * GitHub and Google cannot be reached from here: their endpoints are answered by undici's
 * MockAgent on the global fetch, while better-auth's real providers do the rest.
 */

export interface GithubUser {
  id: number;
  login: string;
  name: string | null;
  email: string | null;
  avatar_url: string;
}
export interface GithubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
}
export interface GoogleUser {
  sub: string;
  email: string;
  email_verified: boolean;
  name: string;
  picture: string;
}

export const GOOGLE_CLIENT_ID = "google-client.apps.example";
const json = { headers: { "content-type": "application/json" } };

export interface ProviderMocks {
  github(user: GithubUser, emails: GithubEmail[]): void;
  google(user: GoogleUser): void;
  /** Server environment that switches both providers on. */
  env: Record<string, string>;
  restore(): Promise<void>;
}

export async function mockGithubAndGoogle(): Promise<ProviderMocks> {
  const original: Dispatcher = getGlobalDispatcher();
  const agent = new MockAgent();
  let githubUser: GithubUser | undefined;
  let githubEmails: GithubEmail[] = [];
  let googleUser: GoogleUser | undefined;
  agent.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
  setGlobalDispatcher(agent);

  agent
    .get("https://github.com")
    .intercept({ path: "/login/oauth/access_token", method: "POST" })
    .reply(200, { access_token: "gh-access", token_type: "bearer", scope: "read:user,user:email" }, json)
    .persist();
  const githubApi = agent.get("https://api.github.com");
  githubApi
    .intercept({ path: "/user", method: "GET" })
    .reply(200, () => githubUser ?? {}, json)
    .persist();
  githubApi
    .intercept({ path: "/user/emails", method: "GET" })
    .reply(200, () => githubEmails, json)
    .persist();

  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "test-key", alg: "RS256", use: "sig" };
  agent
    .get("https://www.googleapis.com")
    .intercept({ path: "/oauth2/v3/certs", method: "GET" })
    .reply(200, { keys: [jwk] }, json)
    .persist();
  agent
    .get("https://oauth2.googleapis.com")
    .intercept({ path: "/token", method: "POST" })
    .reply(
      200,
      async () => ({
        access_token: "google-access",
        token_type: "Bearer",
        expires_in: 3600,
        scope: "openid email profile",
        id_token: await new SignJWT({ ...googleUser })
          .setProtectedHeader({ alg: "RS256", kid: "test-key" })
          .setIssuer("https://accounts.google.com")
          .setAudience(GOOGLE_CLIENT_ID)
          .setSubject(googleUser?.sub ?? "")
          .setIssuedAt()
          .setExpirationTime("1h")
          .sign(privateKey),
      }),
      json,
    )
    .persist();

  return {
    github(user, emails) {
      githubUser = user;
      githubEmails = emails;
    },
    google(user) {
      googleUser = user;
    },
    env: {
      GITHUB_CLIENT_ID: "gh-client",
      GITHUB_CLIENT_SECRET: "gh-secret",
      GOOGLE_CLIENT_ID,
      GOOGLE_CLIENT_SECRET: "google-secret",
    },
    async restore() {
      setGlobalDispatcher(original);
      await agent.close();
    },
  };
}

export function signInWith(baseUrl: string, provider: "github" | "google") {
  return oauthSignIn(baseUrl, { path: "/api/auth/sign-in/social", body: { provider } });
}
