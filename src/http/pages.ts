import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { CurrentUser } from "../auth/current-user.js";

export interface PagesOptions {
  currentUser: CurrentUser;
  webRoot: string;
  production: boolean;
}

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

  async function sendApp(reply: FastifyReply) {
    const html = await indexHtml();
    if (!html)
      return reply.code(503).type("text/plain").send("The web app is not built: run `npm run build`.");
    return reply.type("text/html; charset=utf-8").header("cache-control", "no-cache").send(html);
  }

  await app.register(fastifyStatic, {
    root: join(webRoot, "assets"),
    prefix: "/assets/",
    immutable: true,
    maxAge: "365d",
  });

  app.get("/signin", async (_request, reply) => sendApp(reply));

  app.get("/", async (request, reply) => {
    const signedIn = await options.currentUser.lookup(request.headers);
    return reply.redirect(signedIn ? "/r/general" : "/signin");
  });

  app.get("/r/:slug", async (request, reply) => {
    const signedIn = await options.currentUser.lookup(request.headers);
    if (!signedIn) return reply.redirect(`/signin?next=${encodeURIComponent(request.url)}`);
    return sendApp(reply);
  });
}
