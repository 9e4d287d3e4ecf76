import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import fastifyStatic from "@fastify/static";
import { DEFAULT_ROOM_SLUG } from "@parley/protocol";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { CurrentUser } from "../auth/current-user.js";
import { negotiateLanguage, withPageLanguage } from "./language.js";

export interface PagesOptions {
  currentUser: CurrentUser;
  webRoot: string;
  production: boolean;
}

const NOT_BUILT = {
  en: "The web app is not built: run `npm run build`.",
  ja: "Web アプリがビルドされていません: `npm run build` を実行してください。",
} as const;

/** The single-page app: its assets are public, its pages need a session or go to sign-in. */
export async function registerPages(app: FastifyInstance, options: PagesOptions): Promise<void> {
  const webRoot = resolve(options.webRoot);
  let cachedIndex: string | undefined;

  async function indexHtml(): Promise<string | undefined> {
    if (cachedIndex) return cachedIndex;
    try {
      const html = await readFile(join(webRoot, "index.html"), "utf8");
      if (options.production) cachedIndex = html;
      return html;
    } catch {
      return undefined;
    }
  }

  async function sendApp(request: FastifyRequest, reply: FastifyReply) {
    const html = await indexHtml();
    // <html lang> right from the first byte (screen readers, CJK fonts); the app then follows the browser.
    const language = negotiateLanguage(request.headers["accept-language"]);
    if (!html)
      return reply
        .code(503)
        .type("text/plain; charset=utf-8")
        .header("vary", "accept-language")
        .send(NOT_BUILT[language]);
    return reply
      .type("text/html; charset=utf-8")
      .header("vary", "accept-language")
      .header("cache-control", "no-cache")
      .send(withPageLanguage(html, language));
  }

  await app.register(fastifyStatic, {
    root: join(webRoot, "assets"),
    prefix: "/assets/",
    immutable: true,
    maxAge: "365d",
  });

  app.get("/signin", async (request, reply) => sendApp(request, reply));

  // notify slice: the service worker that shows Web Push notifications. Served from the root so
  // its scope covers every page; never cached long, so a new version takes over on the next visit.
  app.get("/sw.js", async (_request, reply) => {
    try {
      const script = await readFile(join(webRoot, "sw.js"), "utf8");
      return reply.type("text/javascript; charset=utf-8").header("cache-control", "no-cache").send(script);
    } catch {
      return reply.code(404).send({ error: "not_found", message: "The web app is not built." });
    }
  });

  app.get("/", async (request, reply) => {
    const signedIn = await options.currentUser.lookup(request.headers);
    return reply.redirect(signedIn ? `/r/${DEFAULT_ROOM_SLUG}` : "/signin");
  });

  app.get("/r/:slug", async (request, reply) => {
    const signedIn = await options.currentUser.lookup(request.headers);
    if (!signedIn) return reply.redirect(`/signin?next=${encodeURIComponent(request.url)}`);
    return sendApp(request, reply);
  });
}
