import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable, launchChromium, screenshot, sendMessage } from "../support/browser.js";
import { postgres } from "../support/databases.js";
import { waitForHttp } from "../support/node-process.js";
import { freePort } from "../support/ports.js";
import { deleteKeys, uniquePrefix } from "../support/redis.js";
import { TEST_VAPID_KEYS } from "../support/vapid.js";

const postgresUrl = process.env.TEST_POSTGRES_URL;
const redisUrl = process.env.TEST_REDIS_URL;
const NGINX = "/usr/sbin/nginx";

/** Everything the production path needs; in CI a missing piece is a failure, never a skip. */
function prerequisites(): boolean {
  const missing = [
    !postgresUrl && "TEST_POSTGRES_URL",
    !redisUrl && "TEST_REDIS_URL",
    !existsSync(NGINX) && `nginx at ${NGINX} (apt-get install -y nginx)`,
    !existsSync("dist/server/main/server.js") && "the compiled server (npm run build)",
  ].filter(Boolean);
  if (missing.length === 0) return chromiumAvailable();
  if (process.env.CI) throw new Error(`the production path test needs ${missing.join(", ")}`);
  console.warn(`[parley] skipping the production path test: it needs ${missing.join(", ")}`);
  return false;
}

/** The systemd unit's command line, as the test runs it: Node 24 in place of /usr/bin/node. */
function unitCommand(): string[] {
  const unit = readFileSync("deploy/systemd/parley@.service", "utf8");
  const execStart = /^ExecStart=(.+)$/m.exec(unit)?.[1];
  if (!execStart) throw new Error("no ExecStart in the systemd unit");
  const [binary, ...args] = execStart.trim().split(/\s+/);
  expect(binary).toBe("/usr/bin/node");
  return args;
}

/** The environment file example, as systemd's EnvironmentFile reads it. */
function exampleEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync("deploy/systemd/parley.env.example", "utf8").split("\n")) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match?.[1]) env[match[1]] = match[2] ?? "";
  }
  return env;
}

interface Running {
  child: ChildProcess;
  exited: Promise<number | null>;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Running {
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "inherit"] });
  child.stdout?.resume();
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const reap = () => child.kill("SIGKILL");
  process.once("exit", reap);
  void exited.then(() => process.off("exit", reap));
  return { child, exited };
}

describe.runIf(prerequisites())("the production path: compiled nodes behind the documented nginx", () => {
  const dir = mkdtempSync(join(tmpdir(), "parley-production-"));
  const prefix = uniquePrefix();
  const secret = randomBytes(32).toString("base64url");
  const nodes: { port: number; running?: Running }[] = [];
  let publicUrl = "";
  let databaseUrl = "";
  let dropDatabase: () => Promise<void> = async () => {};
  let issuer: Running | undefined;
  let issuerUrl = "";
  let nginx: Running | undefined;
  let browser: Browser | undefined;
  const profileFile = join(dir, "profile.json");

  function nodeEnvironment(port: number): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      ...exampleEnvironment(),
      PORT: String(port),
      PUBLIC_URL: publicUrl,
      DATA_DIR: join(dir, `data-${port}`),
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: prefix,
      AUTH_SECRET: secret,
      ...TEST_VAPID_KEYS,
      OIDC_ISSUER: issuerUrl,
      OIDC_CLIENT_ID: "parley-production-test",
      OIDC_CLIENT_SECRET: "parley-production-test-secret",
      ALLOWED_EMAIL_DOMAINS: "corp.example",
      LOG_LEVEL: "warn",
    };
  }

  async function startNode(index: number): Promise<void> {
    const node = nodes[index];
    if (!node) throw new Error(`no node ${index}`);
    node.running = run(process.execPath, unitCommand(), nodeEnvironment(node.port));
    await waitForHttp(`http://127.0.0.1:${node.port}/readyz`);
  }

  async function stopNode(index: number): Promise<void> {
    const running = nodes[index]?.running;
    if (!running) return;
    running.child.kill("SIGTERM");
    expect(await running.exited).toBe(0);
  }

  /** Open WebSocket connections of one node, from its own /metrics (loopback may read it). */
  async function connectionsOn(index: number): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${nodes[index]?.port}/metrics`)).text();
    return Number(/^parley_websocket_connections (\d+)/m.exec(text)?.[1] ?? "NaN");
  }

  function nextSignIn(sub: string, name: string): void {
    writeFileSync(
      profileFile,
      JSON.stringify({ sub, name, email: `${sub}@corp.example`, email_verified: true }),
    );
  }

  async function signIn(context: BrowserContext, sub: string, name: string): Promise<Page> {
    nextSignIn(sub, name);
    const page = await context.newPage();
    await page.goto(`${publicUrl}/r/general`);
    await page.waitForURL(/\/signin/);
    await page.getByTestId("provider-oidc").click();
    await page.waitForURL(/\/r\/general$/);
    await expect
      .poll(() => page.getByTestId("connection-status").getAttribute("data-state"))
      .toBe("connected");
    return page;
  }

  /** How often each body shows on the page. */
  async function bodiesOn(page: Page): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const text of await page.getByTestId("message-body").allTextContents()) {
      counts.set(text, (counts.get(text) ?? 0) + 1);
    }
    return counts;
  }

  beforeAll(async () => {
    const database = await postgres(postgresUrl ?? "").create();
    databaseUrl = database.url;
    dropDatabase = database.drop;

    const issuerPort = await freePort();
    nextSignIn("nobody", "Nobody");
    issuer = run(process.execPath, [
      "--import",
      "tsx",
      "test/support/oidc-issuer-process.ts",
      String(issuerPort),
      profileFile,
    ]);
    issuerUrl = `http://127.0.0.1:${issuerPort}`;
    await waitForHttp(`${issuerUrl}/.well-known/openid-configuration`);

    // TLS as in production, with a certificate of our own for localhost.
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    const httpsPort = await freePort();
    const httpPort = await freePort();
    nodes.push({ port: await freePort() }, { port: await freePort() });
    publicUrl = `https://localhost:${httpsPort}`;

    // The documented file, with only the addresses, ports and certificate paths of this machine.
    const documented = readFileSync("deploy/nginx/parley.conf", "utf8");
    const site = documented
      .replace("127.0.0.1:3001", `127.0.0.1:${nodes[0]?.port}`)
      .replace("127.0.0.1:3002", `127.0.0.1:${nodes[1]?.port}`)
      .replace("listen 443 ssl http2;", `listen 127.0.0.1:${httpsPort} ssl http2;`)
      .replace("listen 80;", `listen 127.0.0.1:${httpPort};`)
      .replaceAll("server_name chat.example.com;", "server_name localhost;")
      .replace(/ssl_certificate\s+\S+;/, `ssl_certificate ${join(dir, "cert.pem")};`)
      .replace(/ssl_certificate_key\s+\S+;/, `ssl_certificate_key ${join(dir, "key.pem")};`);
    expect(site).not.toContain("3001");
    writeFileSync(join(dir, "parley.conf"), site);
    writeFileSync(
      join(dir, "nginx.conf"),
      [
        "daemon off;",
        "worker_processes 1;",
        `pid ${join(dir, "nginx.pid")};`,
        `error_log ${join(dir, "nginx-error.log")} warn;`,
        "events { worker_connections 1024; }",
        "http {",
        "  access_log off;",
        `  client_body_temp_path ${join(dir, "body")};`,
        `  proxy_temp_path ${join(dir, "proxy")};`,
        `  include ${join(dir, "parley.conf")};`,
        "}",
      ].join("\n"),
    );
    execFileSync(NGINX, ["-t", "-q", "-c", join(dir, "nginx.conf")], { stdio: "inherit" });
    nginx = run(NGINX, ["-c", join(dir, "nginx.conf")]);

    // One at a time: the first applies the migrations.
    await startNode(0);
    await startNode(1);
    // Our own certificate for localhost; everything else about TLS is real.
    browser = await launchChromium(["--ignore-certificate-errors"]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    for (const node of nodes) node.running?.child.kill("SIGKILL");
    nginx?.child.kill("SIGQUIT");
    issuer?.child.kill("SIGTERM");
    await Promise.all([...nodes.map((node) => node.running?.exited), nginx?.exited, issuer?.exited]);
    await dropDatabase();
    if (redisUrl) await deleteKeys(redisUrl, prefix);
  });

  it("signs two people in through the issuer, lets them talk across both nodes, and survives a rolling restart", async () => {
    if (!browser) throw new Error("no browser");
    const aikoContext = await browser.newContext();
    const benContext = await browser.newContext();
    const aiko = await signIn(aikoContext, "aiko", "Aiko Tanaka");
    let ben = await signIn(benContext, "ben", "Ben Okafor");

    // nginx spreads connections over the nodes; reload Ben until the two sit on different nodes.
    for (let tries = 0; tries < 20; tries++) {
      const [first, second] = [await connectionsOn(0), await connectionsOn(1)];
      if (first === 1 && second === 1) break;
      await ben.close();
      ben = await benContext.newPage();
      await ben.goto(`${publicUrl}/r/general`);
      await expect
        .poll(() => ben.getByTestId("connection-status").getAttribute("data-state"))
        .toBe("connected");
    }
    expect([await connectionsOn(0), await connectionsOn(1)]).toEqual([1, 1]);

    const expected: string[] = [];
    const say = async (page: Page, body: string) => {
      expected.push(body);
      await sendMessage(page, body);
    };
    await say(aiko, "こんにちは、ベンさん");
    await say(ben, "Hello Aiko, from the other node");
    for (const page of [aiko, ben]) {
      await expect
        .poll(async () => {
          const shown = await bodiesOn(page);
          return expected.filter((body) => shown.get(body) !== 1);
        })
        .toEqual([]);
    }
    await screenshot(aiko, "production-path-across-nodes");

    // Rolling restart: one node at a time, while both people keep writing.
    for (const index of [0, 1]) {
      const stopped = stopNode(index);
      await say(aiko, `Aiko during the restart of node ${index + 1}`);
      await say(ben, `Ben during the restart of node ${index + 1}`);
      await stopped;
      await startNode(index);
      await say(aiko, `Aiko after node ${index + 1} came back`);
      await say(ben, `Ben after node ${index + 1} came back`);
    }

    // Everything arrives everywhere exactly once, in one order, with no gap in the room's numbers.
    for (const page of [aiko, ben]) {
      await expect
        .poll(
          async () => {
            const shown = await bodiesOn(page);
            return expected.filter((body) => shown.get(body) !== 1);
          },
          { timeout: 30_000 },
        )
        .toEqual([]);
    }
    expect(await aiko.getByTestId("message-body").allTextContents()).toEqual(
      await ben.getByTestId("message-body").allTextContents(),
    );
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ seq: number; body: string }>(
        "select m.seq, m.body from messages m join rooms r on r.id = m.room_id where r.slug = 'general' order by m.seq",
      );
      expect(rows.map((row) => Number(row.seq))).toEqual(rows.map((_, i) => i + 1));
      expect(rows.map((row) => row.body).sort()).toEqual([...expected].sort());
    } finally {
      await db.end();
    }
    await screenshot(ben, "production-path-after-rolling-restart");
    await aikoContext.close();
    await benContext.close();
  }, 180_000);
});
