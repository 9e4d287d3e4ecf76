import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { type IncomingHttpHeaders, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn } from "../support/chat-client.js";
import { startServer, type TestServer } from "../support/parley-server.js";

/** A tiny built web app, so pages and assets are served as in production. */
function webRoot(): string {
  const root = mkdtempSync(join(tmpdir(), "parley-web-"));
  mkdirSync(join(root, "assets"));
  writeFileSync(join(root, "index.html"), "<!doctype html><div id=root></div>");
  writeFileSync(join(root, "assets", "app.js"), "console.log('hi')");
  return root;
}

function directives(csp: string | null): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const part of (csp ?? "").split(";")) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) result.set(name, values);
  }
  return result;
}

/** The raw answer to a WebSocket upgrade request the server refuses: status and headers. */
function refusedUpgrade(url: string, path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Headers }>((resolve, reject) => {
    const req = request(`${url}${path}`, {
      headers: {
        ...headers,
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": Buffer.from("0123456789abcdef").toString("base64"),
      },
    });
    req.on("upgrade", (_response, socket) => {
      socket.destroy();
      reject(new Error("the upgrade was accepted"));
    });
    req.on("response", (response) => {
      response.resume();
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, headers: asHeaders(response.headers) }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

function asHeaders(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return headers;
}

describe("security headers", () => {
  let server: TestServer;
  let cookie: string;

  beforeAll(async () => {
    server = await startServer({ env: { WEB_ROOT: webRoot() } });
    cookie = (await signIn(server.url, "Header Checker")).cookie;
  });

  afterAll(async () => {
    await server?.close();
  });

  const routes: Array<{ what: string; path: string; init?: () => RequestInit }> = [
    { what: "the root redirect", path: "/" },
    { what: "the sign-in page", path: "/signin" },
    { what: "a room page, signed out", path: "/r/general" },
    { what: "a room page, signed in", path: "/r/general", init: () => ({ headers: { cookie } }) },
    { what: "an asset", path: "/assets/app.js" },
    { what: "a missing asset", path: "/assets/missing.js" },
    { what: "an API answer", path: "/api/signin-options" },
    { what: "an API refusal", path: "/api/me" },
    { what: "an API answer, signed in", path: "/api/rooms", init: () => ({ headers: { cookie } }) },
    { what: "an auth route", path: "/api/auth/get-session", init: () => ({ headers: { cookie } }) },
    {
      what: "an auth refusal",
      path: "/api/auth/sign-in/anonymous",
      init: () => ({
        method: "POST",
        headers: { "content-type": "application/json", origin: server.url },
        body: JSON.stringify({ name: "" }),
      }),
    },
    { what: "a 404", path: "/no/such/page" },
    { what: "the health check", path: "/healthz" },
    { what: "a malformed request", path: "/api/rooms/%E0%A4%A" },
  ];

  function expectSecurityHeaders(headers: Headers): void {
    const csp = directives(headers.get("content-security-policy"));
    expect(csp.get("default-src")).toEqual(["'self'"]);
    expect(csp.get("script-src")).toEqual(["'self'"]);
    expect(csp.get("connect-src")).toEqual(["'self'", server.wsUrl.replace(/\/ws$/, "")]);
    expect(csp.get("img-src")).toEqual([
      "'self'",
      "data:",
      "https://avatars.githubusercontent.com",
      "https://*.googleusercontent.com",
    ]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(headers.get("x-content-type-options")).toBe("nosniff");
    expect(headers.get("x-frame-options")).toBe("DENY");
    expect(headers.get("referrer-policy")).toBe("same-origin");
    expect(headers.get("cross-origin-opener-policy")).toBe("same-origin");
    expect(headers.get("permissions-policy")).toMatch(/camera=\(\).*geolocation=\(\).*microphone=\(\)/);
    // Plain http: a browser must not be told to insist on https.
    expect(headers.get("strict-transport-security")).toBeNull();
  }

  it.each(routes)("are on $what", async ({ path, init }) => {
    const response = await fetch(`${server.url}${path}`, { redirect: "manual", ...init?.() });
    expectSecurityHeaders(response.headers);
  });

  const upgrades: Array<{
    what: string;
    path: string;
    headers: () => Record<string, string>;
    status: number;
  }> = [
    { what: "without a session", path: "/ws", headers: () => ({ origin: server.url }), status: 401 },
    {
      what: "from a foreign origin",
      path: "/ws",
      headers: () => ({ origin: "https://evil.example", cookie }),
      status: 403,
    },
    {
      what: "on another path",
      path: "/not-ws",
      headers: () => ({ origin: server.url, cookie }),
      status: 404,
    },
  ];

  it.each(upgrades)("are on a WebSocket upgrade refused $what", async ({ path, headers, status }) => {
    const answer = await refusedUpgrade(server.url, path, headers());
    expect(answer.status).toBe(status);
    expectSecurityHeaders(answer.headers);
    expect(answer.headers.get("content-type")).toBe("application/json; charset=utf-8");
  });

  it("adds HSTS when the public URL is https", async () => {
    const secure = await startServer({ env: { PUBLIC_URL: "https://chat.example", WEB_ROOT: webRoot() } });
    try {
      const refusal = await refusedUpgrade(secure.url, "/ws", { origin: "https://chat.example" });
      expect(refusal.status).toBe(401);
      expect(refusal.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
      for (const path of ["/signin", "/api/signin-options", "/no/such/page"]) {
        const response = await fetch(`${secure.url}${path}`, { redirect: "manual" });
        expect(response.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
        expect(directives(response.headers.get("content-security-policy")).get("connect-src")).toEqual([
          "'self'",
          "wss://chat.example",
        ]);
      }
    } finally {
      await secure.close();
    }
  });
});
