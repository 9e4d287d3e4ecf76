import { mkdtempSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { type Attachment, type Room, UploadResponse } from "@parley/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportRoom } from "../../src/backup/room-export.js";
import { MessageChangeRepository } from "../../src/storage/message-change-repository.js";
import { RoomRepository } from "../../src/storage/room-repository.js";
import { RoomSettingsRepository } from "../../src/storage/room-settings-repository.js";
import { ChatClient, type SignedInUser, signIn } from "../support/chat-client.js";
import { sqliteDatabase, testDatabases } from "../support/databases.js";
import { startServer, type TestServer } from "../support/parley-server.js";
import { startS3Server } from "../support/s3-server.js";
import { PDF, smallPng } from "../support/test-files.js";

// Issue 16's leftovers (decision 0054): a deleted room's files leave the store, bytes whose
// deletion was interrupted are finished by the sweep, and the quota holds under concurrent uploads.

const QUOTA = 20_000;
/** A PDF of 6,000 bytes: three fit in the quota, a fourth does not. */
const SIX_KB_PDF = Buffer.concat([PDF, Buffer.alloc(6000 - PDF.length, 32)]);

let roomSeq = 0;

function post(server: TestServer, who: SignedInUser, name: string, bytes: Buffer) {
  return fetch(`${server.url}/api/uploads?name=${encodeURIComponent(name)}`, {
    method: "POST",
    headers: { cookie: who.cookie, origin: server.url },
    body: new Uint8Array(bytes),
  });
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

/** A new room of `who` holding one message with an image and a PDF; its files. */
async function roomWithFiles(
  server: TestServer,
  who: SignedInUser,
): Promise<{ room: Room; files: Attachment[] }> {
  const made = await server.parley.chat.createRoom(`Doomed ${roomSeq++} ${Date.now()}`, who.user.id);
  if (made.kind !== "created") throw new Error(made.kind);
  const image = await upload(server, who, "plan.png", await smallPng(80, 60));
  const document = await upload(server, who, "plan.pdf", PDF);
  const client = await ChatClient.connect(server.wsUrl, who.cookie);
  try {
    await client.join(made.room.id);
    const clientId = `doomed-${roomSeq}`;
    client.send({
      type: "send",
      roomId: made.room.id,
      clientId,
      body: "the plan",
      attachments: [image.id, document.id],
    });
    const answer = await client.waitFor(
      (frame) => (frame.type === "ack" || frame.type === "error") && frame.clientId === clientId,
    );
    expect(answer.type).toBe("ack");
  } finally {
    await client.close();
  }
  return { room: made.room, files: [image, document] };
}

function deleteRoom(server: TestServer, who: SignedInUser, roomId: string) {
  return fetch(`${server.url}/api/rooms/${roomId}`, {
    method: "DELETE",
    headers: { cookie: who.cookie, origin: server.url },
  });
}

/** Every key in the local file store. */
async function localKeys(dataDir: string): Promise<string[]> {
  const root = join(dataDir, "files");
  const keys: string[] = [];
  for (const shard of await readdir(root).catch(() => [])) keys.push(...(await readdir(join(root, shard))));
  return keys;
}

/** The store keys of these files: each file, and the thumbnail of each image. */
function keysOf(files: Attachment[]): string[] {
  return files.flatMap((file) => (file.thumbnailUrl ? [file.id, `${file.id}.thumb`] : [file.id]));
}

describe.each(testDatabases())("file housekeeping on $name", (database) => {
  let server: TestServer;
  let drop: () => Promise<void>;
  let alice: SignedInUser;
  let carol: SignedInUser;
  const dataDir = mkdtempSync(join(tmpdir(), "parley-housekeeping-"));

  beforeAll(async () => {
    const created = await database.create();
    drop = created.drop;
    server = await startServer({
      databaseUrl: created.url,
      dataDir,
      env: { UPLOAD_QUOTA_BYTES: String(QUOTA) },
    });
    // The first person to sign in is an administrator: Alice may delete rooms.
    alice = await signIn(server.url, "Alice");
    carol = await signIn(server.url, "Carol");
  });

  afterAll(async () => {
    await server?.close();
    await drop?.();
  });

  it("deletes a deleted room's files: their bytes leave the store and their URLs answer 404", async () => {
    const { room, files } = await roomWithFiles(server, alice);
    const keys = keysOf(files);
    expect(keys).toHaveLength(3);
    expect(await localKeys(dataDir)).toEqual(expect.arrayContaining(keys));
    for (const file of files) expect((await download(server, alice, file.url)).status).toBe(200);

    expect((await deleteRoom(server, alice, room.id)).status).toBe(204);

    // Unreachable at once (the records went with the room); the bytes go right after.
    for (const path of [...files.map((file) => file.url), files[0]?.thumbnailUrl as string]) {
      expect((await download(server, alice, path)).status).toBe(404);
    }
    await expect.poll(async () => (await localKeys(dataDir)).filter((key) => keys.includes(key))).toEqual([]);
  });

  it("finishes a room's byte deletion that a stop interrupted, at the next sweep", async () => {
    const { room, files } = await roomWithFiles(server, alice);
    const keys = keysOf(files);
    // What a crash right after the room's delete committed leaves: records gone, bytes still there.
    const rooms = new RoomRepository(server.parley.db);
    expect(await new RoomSettingsRepository(server.parley.db, rooms).delete(room.id)).toBe(true);
    expect((await download(server, alice, files[1]?.url as string)).status).toBe(404);
    expect(await localKeys(dataDir)).toEqual(expect.arrayContaining(keys));

    await server.parley.files.sweepPending();

    expect((await localKeys(dataDir)).filter((key) => keys.includes(key))).toEqual([]);
    const queued = await server.parley.db.selectFrom("upload_deletions").select("upload_id").execute();
    expect(queued).toEqual([]);
  });

  it("makes a deleted message's files unreachable in the delete itself; bytes a stop left are swept", async () => {
    const { room, files } = await roomWithFiles(server, alice);
    const keys = keysOf(files);
    // The message's delete as the change log commits it, without the hook that follows (a stop there).
    const changes = new MessageChangeRepository(server.parley.db);
    expect(await changes.delete(room.id, 1, Date.now())).toBeDefined();
    for (const file of files) expect((await download(server, alice, file.url)).status).toBe(404);
    expect(await localKeys(dataDir)).toEqual(expect.arrayContaining(keys));

    await server.parley.files.sweepPending();

    expect((await localKeys(dataDir)).filter((key) => keys.includes(key))).toEqual([]);
  });

  it("exports a room's messages with their files and their edit and delete state", async () => {
    const made = await server.parley.chat.createRoom(`Exported ${Date.now()}`, alice.user.id);
    if (made.kind !== "created") throw new Error(made.kind);
    const room = made.room;
    const image = await upload(server, alice, "chart.png", await smallPng(120, 80));
    const document = await upload(server, alice, "報告書.pdf", PDF);
    const client = await ChatClient.connect(server.wsUrl, alice.cookie);
    const changed = (seq: number) =>
      client.waitFor((frame) => frame.type === "message_changed" && frame.message.seq === seq);
    try {
      await client.join(room.id);
      const seqs: number[] = [];
      for (const [clientId, body, attachments] of [
        ["x-files", "numbers for Q3", [image.id, document.id]],
        ["x-edited", "frist draft", []],
        ["x-deleted", "wrong room", []],
      ] as const) {
        client.send({ type: "send", roomId: room.id, clientId, body, attachments: [...attachments] });
        const ack = await client.waitFor((frame) => frame.type === "ack" && frame.clientId === clientId);
        seqs.push(ack.type === "ack" ? ack.seq : 0);
      }
      const [, edited, deleted] = seqs as [number, number, number];
      client.send({ type: "edit", roomId: room.id, seq: edited, body: "first draft" });
      await changed(edited);
      client.send({ type: "delete", roomId: room.id, seq: deleted });
      await changed(deleted);
    } finally {
      await client.close();
    }

    const exported = await exportRoom(server.parley.db, room.slug);
    const [withFiles, edited, deleted] = exported?.messages ?? [];
    expect(withFiles).toMatchObject({ body: "numbers for Q3" });
    expect(withFiles?.attachments).toEqual([
      { id: image.id, name: "chart.png", type: "image/png", size: image.size, width: 120, height: 80 },
      { id: document.id, name: "報告書.pdf", type: "application/pdf", size: PDF.length },
    ]);
    expect(withFiles?.editedAt).toBeUndefined();
    expect(edited).toMatchObject({ body: "first draft", editedAt: expect.any(Number) });
    expect(edited && "attachments" in edited).toBe(false);
    expect(deleted).toMatchObject({ body: "", deletedAt: expect.any(Number) });
  });

  it("lets only as many simultaneous uploads through as the quota holds, and says why and when to retry", async () => {
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, i) => post(server, carol, `part-${i}.pdf`, SIX_KB_PDF)),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([201, 201, 201, 413, 413, 413, 413, 413]);
    const limits = await (await download(server, carol, "/api/uploads/limits")).json();
    expect(limits).toMatchObject({ quotaBytes: QUOTA, usedBytes: 18_000 });

    const refused = responses.filter((response) => response.status === 413);
    for (const response of refused) {
      const body = (await response.json()) as { error: string; message: string; retryAfter?: number };
      expect(body.error).toBe("quota_exceeded");
      expect(body.message).toContain(
        "Your files take 17.6 KB of your 19.5 KB; this one (5.9 KB) does not fit.",
      );
      // The three unsent uploads expire after UPLOAD_PENDING_TTL_MS (24 h): room then.
      expect(body.message).toMatch(/try again after \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
      expect(body.retryAfter).toBeGreaterThan(23 * 60 * 60 * 1000);
      expect(body.retryAfter).toBeLessThanOrEqual(24 * 60 * 60 * 1000);
      expect(response.headers.get("retry-after")).toBe(String(Math.ceil((body.retryAfter as number) / 1000)));
    }
  });

  it("offers no retry time when only deleting sent files would make room", async () => {
    const dave = await signIn(server.url, "Dave");
    const parts = [];
    for (let i = 0; i < 3; i++) parts.push(await upload(server, dave, `sent-${i}.pdf`, SIX_KB_PDF));
    const general = ((await (await download(server, dave, "/api/rooms")).json()) as { rooms: Room[] })
      .rooms[0] as Room;
    const client = await ChatClient.connect(server.wsUrl, dave.cookie);
    try {
      await client.join(general.id);
      client.send({
        type: "send",
        roomId: general.id,
        clientId: "all-sent",
        body: "",
        attachments: parts.map((p) => p.id),
      });
      await client.waitFor((frame) => frame.type === "ack" && frame.clientId === "all-sent");
    } finally {
      await client.close();
    }
    const response = await post(server, dave, "one-more.pdf", SIX_KB_PDF);
    expect(response.status).toBe(413);
    expect(response.headers.get("retry-after")).toBeNull();
    const body = (await response.json()) as { error: string; message: string; retryAfter?: number };
    expect(body).toMatchObject({ error: "quota_exceeded" });
    expect(body.retryAfter).toBeUndefined();
    expect(body.message).toContain("Delete messages with files to make room.");
  });
});

describe("a deleted room's files in an S3-compatible bucket (s3rver)", () => {
  let server: TestServer;
  let s3: Awaited<ReturnType<typeof startS3Server>>;
  let bucket: S3Client;
  let alice: SignedInUser;

  beforeAll(async () => {
    s3 = await startS3Server();
    const { settings } = s3;
    bucket = new S3Client({
      region: settings.region,
      endpoint: settings.endpoint as string,
      forcePathStyle: true,
      ...(settings.credentials && { credentials: settings.credentials }),
    });
    const created = await sqliteDatabase.create();
    server = await startServer({
      databaseUrl: created.url,
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
    bucket?.destroy();
    await server?.close();
    await s3?.close();
  });

  async function bucketKeys(): Promise<string[]> {
    const listed = await bucket.send(
      new ListObjectsV2Command({ Bucket: s3.settings.bucket, Prefix: "parley/" }),
    );
    return (listed.Contents ?? []).map((object) => (object.Key as string).slice("parley/".length));
  }

  it("deletes the room's objects from the bucket", async () => {
    const { room, files } = await roomWithFiles(server, alice);
    const keys = keysOf(files);
    expect(await bucketKeys()).toEqual(expect.arrayContaining(keys));

    expect((await deleteRoom(server, alice, room.id)).status).toBe(204);

    expect((await download(server, alice, files[0]?.url as string)).status).toBe(404);
    await expect.poll(async () => (await bucketKeys()).filter((key) => keys.includes(key))).toEqual([]);
  });

  it("keeps a deleted room's bytes queued while the bucket is away, and removes them at the next sweep", async () => {
    const { room, files } = await roomWithFiles(server, alice);
    const keys = keysOf(files);
    const queued = () => server.parley.db.selectFrom("upload_deletions").select("upload_id").execute();
    await s3.pause();
    try {
      expect((await deleteRoom(server, alice, room.id)).status).toBe(204);
      // A pass that starts now cannot reach the bucket: the deletions stay queued.
      await server.parley.files.deleteQueuedBytes();
      expect((await queued()).map((row) => row.upload_id).sort()).toEqual(
        files.map((file) => file.id).sort(),
      );
    } finally {
      await s3.resume();
    }
    expect(await bucketKeys()).toEqual(expect.arrayContaining(keys));
    expect((await download(server, alice, files[0]?.url as string)).status).toBe(404);

    await server.parley.files.sweepPending();

    expect((await bucketKeys()).filter((key) => keys.includes(key))).toEqual([]);
    expect(await queued()).toEqual([]);
  });
});
