import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FileStore } from "../../src/files/file-store.js";

/** What every FileStore adapter must do, whatever keeps the bytes. */
export function fileStoreContract(
  name: string,
  open: () => Promise<{ store: FileStore; close(): Promise<void> }>,
) {
  describe(`file store contract: ${name}`, () => {
    let store: FileStore;
    let close: () => Promise<void>;
    let scratch: string;

    beforeAll(async () => {
      ({ store, close } = await open());
      scratch = await mkdtemp(join(tmpdir(), "parley-file-store-"));
    });
    afterAll(async () => {
      await close();
      await rm(scratch, { recursive: true, force: true });
    });

    async function source(bytes: Buffer): Promise<string> {
      const path = join(scratch, randomBytes(8).toString("hex"));
      await writeFile(path, bytes);
      return path;
    }

    const key = () => randomBytes(16).toString("base64url");

    it("gives back exactly the bytes it was given, with their size", async () => {
      // Every byte value, and more than one read chunk's worth (64 KiB), so nothing is text-decoded or cut.
      const bytes = Buffer.concat([
        Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
        randomBytes(200_000),
      ]);
      const k = key();
      await store.put(k, await source(bytes), bytes.length, "application/octet-stream");
      const stored = await store.get(k);
      expect(stored?.size).toBe(bytes.length);
      expect((await buffer(stored?.stream ?? Readable.from([]))).equals(bytes)).toBe(true);
    });

    it("stores an empty file", async () => {
      const k = key();
      await store.put(k, await source(Buffer.alloc(0)), 0, "application/octet-stream");
      const stored = await store.get(k);
      expect(stored?.size).toBe(0);
      expect((await buffer(stored?.stream ?? Readable.from([]))).length).toBe(0);
    });

    it("answers undefined for a key it never stored", async () => {
      expect(await store.get(key())).toBeUndefined();
    });

    it("replaces what a key held", async () => {
      const k = key();
      await store.put(k, await source(Buffer.from("first")), 5, "text/plain");
      await store.put(k, await source(Buffer.from("second!")), 7, "text/plain");
      const stored = await store.get(k);
      expect((await buffer(stored?.stream ?? Readable.from([]))).toString()).toBe("second!");
    });

    it("deletes, and deleting again (or a key never stored) is no error", async () => {
      const k = key();
      await store.put(k, await source(Buffer.from("bye")), 3, "text/plain");
      await store.delete(k);
      expect(await store.get(k)).toBeUndefined();
      await store.delete(k);
      await store.delete(key());
    });

    it("keeps keys apart: a thumbnail key beside its file", async () => {
      const k = key();
      await store.put(k, await source(Buffer.from("file")), 4, "image/png");
      await store.put(`${k}.thumb`, await source(Buffer.from("thumb")), 5, "image/webp");
      await store.delete(k);
      const thumb = await store.get(`${k}.thumb`);
      expect((await buffer(thumb?.stream ?? Readable.from([]))).toString()).toBe("thumb");
    });
  });
}
