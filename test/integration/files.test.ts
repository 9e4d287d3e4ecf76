import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Attachment, type Room, UploadResponse } from "@parley/protocol";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ChatClient, readHistoryPage, type SignedInUser, signIn } from "../support/chat-client.js";
import { sqliteDatabase, testDatabases } from "../support/databases.js";
import { startServer, type TestServer } from "../support/parley-server.js";
import { testRedisUrl, uniquePrefix } from "../support/redis.js";
import { startS3Server } from "../support/s3-server.js";
import {
  HTML_PAGE,
  PDF,
  pngClaiming,
  SVG_WITH_SCRIPT,
  sidewaysJpegWithExif,
  smallPng,
} from "../support/test-files.js";

let clientSeq = 0;
const nextClientId = () => `f${Date.now().toString(36)}${(clientSeq++).toString(36)}`;

function post(
  server: TestServer,
  who: SignedInUser,
  name: string,
  bytes: Buffer | ReadableStream<Uint8Array>,
  headers = {},
) {
  const body = bytes instanceof ReadableStream ? bytes : new Uint8Array(bytes);
  return fetch(`${server.url}/api/uploads?name=${encodeURIComponent(name)}`, {
    method: "POST",
    headers: { cookie: who.cookie, origin: server.url, "content-type": "image/png", ...headers },
    body,
    ...(body instanceof ReadableStream && { duplex: "half" }),
  } as RequestInit);
}

async function upload(
  server: TestServer,
  who: SignedInUser,
  name: string,
  bytes: Buffer,
): Promise<Attachment> {
  const response = await post(server, who, name, bytes);
  expect(response.status, await response.clone().text()).toBe(201);
  return UploadResponse.parse(await response.json()).upload;
}

function download(server: TestServer, who: SignedInUser, path: string) {
  return fetch(`${server.url}${path}`, { headers: { cookie: who.cookie } });
}

async function refusal(response: Response) {
  return { status: response.status, ...((await response.json()) as { error: string; message: string }) };
}

describe.each(testDatabases())("files on $name", (database) => {
  let server: TestServer;
  let drop: () => Promise<void>;
  let alice: SignedInUser;
  let bob: SignedInUser;
  let general: Room;
  const clients: ChatClient[] = [];

  async function connect(who: SignedInUser) {
    const client = await ChatClient.connect(server.wsUrl, who.cookie);
    clients.push(client);
    await client.join(general.id);
    return client;
  }

  /** Sends and waits for the answer to this send: its ack or its error. */
  async function send(client: ChatClient, body: string, attachments: string[], clientId = nextClientId()) {
    client.send({ type: "send", roomId: general.id, clientId, body, attachments });
    return client.waitFor(
      (frame) => (frame.type === "ack" || frame.type === "error") && frame.clientId === clientId,
    );
  }

  beforeAll(async () => {
    const created = await database.create();
    drop = created.drop;
    server = await startServer({
      databaseUrl: created.url,
      env: { UPLOAD_MAX_FILE_BYTES: String(2 * 1024 * 1024), IMAGE_MAX_PIXELS: "40000000" },
    });
    alice = await signIn(server.url, "Alice");
    bob = await signIn(server.url, "Bob");
    const rooms = (await (
      await fetch(`${server.url}/api/rooms`, { headers: { cookie: alice.cookie } })
    ).json()) as {
      rooms: Room[];
    };
    general = rooms.rooms[0] as Room;
  });

  afterEach(() => vi.restoreAllMocks());

  afterAll(async () => {
    for (const client of clients) await client.close();
    await server?.close();
    await drop?.();
  });

  it("stores a phone photo upright and without its EXIF, with a WebP thumbnail", async () => {
    const photo = await upload(server, alice, "IMG_0001.jpg", await sidewaysJpegWithExif());
    expect(photo).toMatchObject({ name: "IMG_0001.jpg", type: "image/jpeg", width: 200, height: 300 });
    expect(photo.thumbnailUrl).toBeDefined();

    const full = await download(server, alice, photo.url);
    expect(full.status).toBe(200);
    expect(full.headers.get("content-type")).toBe("image/jpeg");
    expect(full.headers.get("content-disposition")).toMatch(/^inline;/);
    expect(full.headers.get("x-content-type-options")).toBe("nosniff");
    const bytes = Buffer.from(await full.arrayBuffer());
    expect(bytes.length).toBe(photo.size);
    const stored = await sharp(bytes).metadata();
    expect({ width: stored.width, height: stored.height }).toEqual({ width: 200, height: 300 });
    expect(stored.exif).toBeUndefined();
    expect(stored.orientation).toBeUndefined();
    expect(bytes.includes(Buffer.from("secret location"))).toBe(false);

    const thumbnail = await download(server, alice, photo.thumbnailUrl as string);
    expect(thumbnail.headers.get("content-type")).toBe("image/webp");
    const thumb = await sharp(Buffer.from(await thumbnail.arrayBuffer())).metadata();
    expect(thumb.format).toBe("webp");
    expect(Math.max(thumb.width ?? 0, thumb.height ?? 0)).toBeLessThanOrEqual(400);
  });

  it("shows a pending upload to its uploader only", async () => {
    const file = await upload(server, alice, "draft.png", await smallPng());
    expect((await download(server, alice, file.url)).status).toBe(200);
    const other = await download(server, bob, file.url);
    expect(other.status).toBe(404);
    expect((await download(server, bob, file.thumbnailUrl as string)).status).toBe(404);
  });

  it("binds uploads to the message that names them: everyone in the room sees and downloads them", async () => {
    const sender = await connect(alice);
    const reader = await connect(bob);
    const image = await upload(server, alice, "chart.png", await smallPng(120, 80));
    const document = await upload(server, alice, "報告書.pdf", PDF);
    const ack = await send(sender, "numbers for Q3", [image.id, document.id]);
    expect(ack.type).toBe("ack");
    const seq = ack.type === "ack" ? ack.seq : 0;

    const live = await reader.waitFor((frame) => frame.type === "message" && frame.message.seq === seq);
    const attachments = live.type === "message" ? live.message.attachments : undefined;
    expect(attachments?.map((a) => [a.name, a.type])).toEqual([
      ["chart.png", "image/png"],
      ["報告書.pdf", "application/pdf"],
    ]);
    expect(attachments?.[0]).toMatchObject({ width: 120, height: 80 });
    expect(attachments?.[1]?.thumbnailUrl).toBeUndefined();

    const page = await readHistoryPage(
      await fetch(`${server.url}/api/rooms/${general.id}/messages`, { headers: { cookie: bob.cookie } }),
    );
    expect(page.messages.find((m) => m.seq === seq)?.attachments).toEqual(attachments);
    // Messages without files carry no attachments key at all.
    expect(page.messages.filter((m) => m.seq !== seq).every((m) => !("attachments" in m))).toBe(true);

    expect((await download(server, bob, image.url)).status).toBe(200);
    const pdf = await download(server, bob, document.url);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get("content-disposition")).toBe(
      `attachment; filename="___.pdf"; filename*=UTF-8''${encodeURIComponent("報告書.pdf")}`,
    );
    expect(Buffer.from(await pdf.arrayBuffer()).equals(PDF)).toBe(true);
  });

  it("sends a message of files only, with no text", async () => {
    const sender = await connect(alice);
    const file = await upload(server, alice, "only.png", await smallPng());
    expect((await send(sender, "", [file.id])).type).toBe("ack");
    // Still refused without files.
    const empty = await send(sender, "  ", []);
    expect(empty).toMatchObject({ type: "error", code: "message_empty" });
  });

  it("refuses someone else's upload, an unknown id, and an upload already sent; a resend is acknowledged again", async () => {
    const sender = await connect(alice);
    const thief = await connect(bob);
    const file = await upload(server, alice, "mine.png", await smallPng());

    const stolen = await send(thief, "look what I found", [file.id]);
    expect(stolen).toMatchObject({ type: "error", code: "attachment_unavailable" });
    const unknown = await send(sender, "ghost", ["AAAAAAAAAAAAAAAAAAAAAA"]);
    expect(unknown).toMatchObject({ type: "error", code: "attachment_unavailable" });

    const clientId = nextClientId();
    const first = await send(sender, "mine", [file.id], clientId);
    expect(first.type).toBe("ack");
    const again = await send(sender, "mine", [file.id], clientId);
    expect(again).toEqual(first);
    const reused = await send(sender, "mine again", [file.id]);
    expect(reused).toMatchObject({ type: "error", code: "attachment_unavailable" });
    // Bob's refused attempt stored nothing and did not move the file: still Alice's message only.
    const page = await readHistoryPage(
      await fetch(`${server.url}/api/rooms/${general.id}/messages`, { headers: { cookie: bob.cookie } }),
    );
    expect(
      page.messages.filter((m) => m.attachments?.some((a) => a.id === file.id)).map((m) => m.body),
    ).toEqual(["mine"]);
  });

  it("serves HTML renamed to .png as an inert download, never as a page or an image", async () => {
    const file = await upload(server, alice, "cute-cat.png", HTML_PAGE);
    expect(file.type).toBe("application/octet-stream");
    expect(file.thumbnailUrl).toBeUndefined();
    const response = await download(server, alice, file.url);
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment;/);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("content-security-policy")).toContain("sandbox");
  });

  it("serves an SVG with a script as a download, never inline", async () => {
    const file = await upload(server, alice, "logo.svg", SVG_WITH_SCRIPT);
    expect(file.type).not.toContain("svg");
    expect(file.thumbnailUrl).toBeUndefined();
    const response = await download(server, alice, file.url);
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment;/);
    expect(response.headers.get("content-security-policy")).toContain("sandbox");
  });

  it("refuses a file over the limit, whether or not it declares its length", async () => {
    const big = Buffer.alloc(2 * 1024 * 1024 + 1, 7);
    const declared = await refusal(await post(server, alice, "big.bin", big));
    expect(declared).toMatchObject({ status: 413, error: "file_too_large" });
    expect(declared.message).toContain("2 MB");
    const chunked = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 40; i++) controller.enqueue(new Uint8Array(64 * 1024));
        controller.close();
      },
    });
    expect(await refusal(await post(server, alice, "big.bin", chunked))).toMatchObject({
      status: 413,
      error: "file_too_large",
    });
  });

  it("refuses an image whose header claims enormous dimensions without decoding it", async () => {
    const bomb = await refusal(await post(server, alice, "bomb.png", pngClaiming(100_000, 100_000)));
    expect(bomb).toMatchObject({ status: 422, error: "image_too_large" });
    expect(bomb.message).toContain("100000×100000");
  });

  it("refuses a file that starts like an image but is not one", async () => {
    const fake = Buffer.concat([pngClaiming(100, 100).subarray(0, 33), Buffer.from("not really an image")]);
    expect(await refusal(await post(server, alice, "broken.png", fake))).toMatchObject({
      status: 422,
      error: "image_unreadable",
    });
  });

  it("refuses an empty file and a request without a name", async () => {
    expect(await refusal(await post(server, alice, "empty.txt", Buffer.alloc(0)))).toMatchObject({
      status: 400,
      error: "file_empty",
    });
    const unnamed = await fetch(`${server.url}/api/uploads`, {
      method: "POST",
      headers: { cookie: alice.cookie, origin: server.url },
      body: "x",
    });
    expect(unnamed.status).toBe(400);
  });

  it("refuses uploads from another origin and without a session", async () => {
    const foreign = await post(server, alice, "a.png", await smallPng(), { origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    const anonymous = await fetch(`${server.url}/api/uploads?name=a.png`, {
      method: "POST",
      headers: { origin: server.url },
      body: new Uint8Array(await smallPng()),
    });
    expect(anonymous.status).toBe(401);
  });

  it("serves a sent file to nobody the room's access check refuses", async () => {
    const sender = await connect(alice);
    const file = await upload(server, alice, "private.png", await smallPng());
    expect((await send(sender, "members only", [file.id])).type).toBe("ack");
    const canRead = vi
      .spyOn(server.parley.chat.access, "canRead")
      .mockImplementation(async (userId) => userId !== bob.user.id);
    expect((await download(server, bob, file.url)).status).toBe(404);
    expect((await download(server, bob, file.thumbnailUrl as string)).status).toBe(404);
    expect((await download(server, alice, file.url)).status).toBe(200);
    // Asked on every request, with the file's room.
    expect(canRead).toHaveBeenCalledWith(bob.user.id, general.id);
  });

  it("serves a file sent in a private room to its members only: a non-member gets 404 as for no file", async () => {
    const made = await server.parley.chat.createRoom(`Files ${nextClientId()}`, alice.user.id, "private");
    if (made.kind !== "created") throw new Error(made.kind);
    const room = made.room;
    const sender = await ChatClient.connect(server.wsUrl, alice.cookie);
    clients.push(sender);
    await sender.join(room.id);
    const file = await upload(server, alice, "plans.png", await smallPng());
    const clientId = nextClientId();
    sender.send({ type: "send", roomId: room.id, clientId, body: "for us only", attachments: [file.id] });
    await sender.waitFor((frame) => frame.type === "ack" && frame.clientId === clientId);
    expect((await download(server, alice, file.url)).status).toBe(200);
    const nothing = await download(server, bob, "/api/files/AAAAAAAAAAAAAAAAAAAAAA");
    for (const path of [file.url, file.thumbnailUrl as string]) {
      const refused = await download(server, bob, path);
      expect(refused.status).toBe(404);
      expect(await refused.text()).toBe(await nothing.clone().text());
    }
  });

  it("deletes a message's files when its author deletes the message", async () => {
    const sender = await connect(alice);
    const file = await upload(server, alice, "regret.png", await smallPng());
    const ack = await send(sender, "oops", [file.id]);
    const seq = ack.type === "ack" ? ack.seq : 0;
    expect((await download(server, bob, file.url)).status).toBe(200);
    sender.send({ type: "delete", roomId: general.id, seq });
    await sender.waitFor(
      (frame) =>
        frame.type === "message_changed" &&
        frame.message.seq === seq &&
        frame.message.deletedAt !== undefined,
    );
    // The hook runs after the change is published; the file is gone once it has run.
    const deadline = Date.now() + 5000;
    let status = (await download(server, bob, file.url)).status;
    while (status === 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await download(server, bob, file.url)).status;
    }
    expect(status).toBe(404);
    expect((await download(server, alice, file.thumbnailUrl as string)).status).toBe(404);
  });

  it("sweeps pending uploads never sent once they are older than the TTL, and keeps sent ones", async () => {
    const sender = await connect(alice);
    const abandoned = await upload(server, alice, "abandoned.png", await smallPng());
    const sent = await upload(server, alice, "sent.png", await smallPng());
    expect((await send(sender, "kept", [sent.id])).type).toBe("ack");
    const later = Date.now() + 25 * 60 * 60 * 1000;
    vi.spyOn(Date, "now").mockReturnValue(later);
    expect(await server.parley.files.sweepPending()).toBeGreaterThanOrEqual(1);
    vi.restoreAllMocks();
    expect((await download(server, alice, abandoned.url)).status).toBe(404);
    expect((await download(server, alice, sent.url)).status).toBe(200);
    // The sweep took the abandoned one's bytes too: sending it now is refused.
    expect((await send(sender, "too late", [abandoned.id])).type).toBe("error");
  });

  it("names its limits", async () => {
    const response = await fetch(`${server.url}/api/uploads/limits`, { headers: { cookie: alice.cookie } });
    expect(await response.json()).toMatchObject({
      maxFileBytes: 2 * 1024 * 1024,
      allowedTypes: ["*"],
      quotaBytes: 1024 * 1024 * 1024,
    });
  });
});

describe("upload limits that are configured", () => {
  let server: TestServer;
  let alice: SignedInUser;
  const dataDir = mkdtempSync(join(tmpdir(), "parley-files-"));

  beforeAll(async () => {
    server = await startServer({
      dataDir,
      env: { UPLOAD_ALLOWED_TYPES: "image/*,application/pdf", UPLOAD_QUOTA_BYTES: "3000" },
    });
    alice = await signIn(server.url, "Alice");
  });
  afterAll(() => server?.close());

  it("refuses a type the server does not allow, read from the bytes and not the name", async () => {
    const html = await refusal(await post(server, alice, "photo.png", HTML_PAGE));
    expect(html).toMatchObject({ status: 415, error: "file_type_not_allowed" });
    expect(html.message).toContain("application/octet-stream");
  });

  it("keeps nothing of an upload the uploader abandons midway, and counts none of it", async () => {
    const limits = async () =>
      ((await (await download(server, alice, "/api/uploads/limits")).json()) as { usedBytes: number })
        .usedBytes;
    const before = await limits();
    // A raw socket: headers promising 2,900 bytes (within the quota), 1,000 of them, then the connection is gone.
    const { port } = new URL(server.url);
    const socket = connect(Number(port), "127.0.0.1");
    await once(socket, "connect");
    socket.write(
      `POST /api/uploads?name=half.pdf HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: ${server.url}\r\n` +
        `Cookie: ${alice.cookie}\r\nContent-Type: application/pdf\r\nContent-Length: 2900\r\n\r\n`,
    );
    socket.write(Buffer.concat([PDF, Buffer.alloc(1000)]));
    const inTmp = async () => (await readdir(join(dataDir, "tmp")).catch(() => [])).length;
    // The server is receiving it: the partial file is on disk.
    await expect.poll(inTmp).toBe(1);
    socket.destroy();
    // The server noticed and cleaned up: its temporary directory empties, and the quota is untouched.
    await expect.poll(inTmp).toBe(0);
    expect(await limits()).toBe(before);
    // And it still takes uploads.
    expect((await post(server, alice, "after.pdf", PDF)).status).toBe(201);
  });

  it("refuses an upload past the person's quota, naming it", async () => {
    expect((await post(server, alice, "a.pdf", Buffer.concat([PDF, Buffer.alloc(2000)]))).status).toBe(201);
    const over = await refusal(await post(server, alice, "b.pdf", Buffer.concat([PDF, Buffer.alloc(2000)])));
    expect(over).toMatchObject({ status: 413, error: "quota_exceeded" });
  });
});

describe("files in an S3-compatible bucket (s3rver)", () => {
  let server: TestServer;
  let s3: Awaited<ReturnType<typeof startS3Server>>;
  let alice: SignedInUser;

  beforeAll(async () => {
    s3 = await startS3Server();
    const { settings } = s3;
    server = await startServer({
      env: {
        FILE_STORAGE: "s3",
        S3_BUCKET: settings.bucket,
        S3_ENDPOINT: settings.endpoint as string,
        S3_ACCESS_KEY_ID: "S3RVER",
        S3_SECRET_ACCESS_KEY: "S3RVER",
        S3_KEY_PREFIX: "parley/",
      },
    });
    alice = await signIn(server.url, "Alice");
  });
  afterAll(async () => {
    await server?.close();
    await s3?.close();
  });

  it("uploads, serves and deletes through the bucket", async () => {
    const file = await upload(server, alice, "in-the-bucket.png", await smallPng(50, 50));
    const response = await download(server, alice, file.url);
    expect(response.status).toBe(200);
    expect((await sharp(Buffer.from(await response.arrayBuffer())).metadata()).width).toBe(50);
    expect((await download(server, alice, file.thumbnailUrl as string)).status).toBe(200);
  });
});

const redisUrl = testRedisUrl();

// Without Redis the suite shows as skipped.
describe.runIf(redisUrl)("files across two nodes sharing a bucket, Redis and a database", () => {
  const servers: TestServer[] = [];
  let s3: Awaited<ReturnType<typeof startS3Server>>;

  beforeAll(async () => {
    s3 = await startS3Server();
    const database = await sqliteDatabase.create();
    const env = {
      FILE_STORAGE: "s3",
      S3_BUCKET: s3.settings.bucket,
      S3_ENDPOINT: s3.settings.endpoint as string,
      S3_ACCESS_KEY_ID: "S3RVER",
      S3_SECRET_ACCESS_KEY: "S3RVER",
      REDIS_URL: redisUrl as string,
      REDIS_KEY_PREFIX: uniquePrefix(),
    };
    servers.push(await startServer({ databaseUrl: database.url, env }));
    servers.push(await startServer({ databaseUrl: database.url, env }));
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
    await s3?.close();
  });

  it("uploads and sends on one node; a reader on the other gets the message with its file and downloads it there", async () => {
    const [a, b] = servers as [TestServer, TestServer];
    const ada = await signIn(a.url, "Ada");
    const bob = await signIn(b.url, "Bob");
    const rooms = (await (await fetch(`${a.url}/api/rooms`, { headers: { cookie: ada.cookie } })).json()) as {
      rooms: Room[];
    };
    const roomId = (rooms.rooms[0] as Room).id;
    const sender = await ChatClient.connect(a.wsUrl, ada.cookie);
    const reader = await ChatClient.connect(b.wsUrl, bob.cookie);
    await sender.join(roomId);
    await reader.join(roomId);
    const file = await upload(a, ada, "shared.png", await smallPng(30, 20));
    sender.send({
      type: "send",
      roomId,
      clientId: "across-nodes",
      body: "from node A",
      attachments: [file.id],
    });
    const arrived = await reader.waitFor(
      (frame) => frame.type === "message" && frame.message.body === "from node A",
    );
    expect(arrived.type === "message" && arrived.message.attachments?.map((x) => x.id)).toEqual([file.id]);
    const response = await download(b, bob, file.url);
    expect(response.status).toBe(200);
    expect((await sharp(Buffer.from(await response.arrayBuffer())).metadata()).width).toBe(30);
    await sender.close();
    await reader.close();
  });
});
