import { copyFile, mkdir, open, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { FileStore, StoredBytes } from "./file-store.js";

const SAFE_KEY = /^[A-Za-z0-9_.-]{1,128}$/;

/**
 * Files on the local disk under one directory (`$DATA_DIR/files` by default), spread over 256
 * sub-directories by the key's first two characters so no directory grows huge. Writes go to a
 * temporary name and are renamed into place, so a reader never sees half a file.
 */
export class LocalFileStore implements FileStore {
  constructor(private readonly root: string) {}

  async put(key: string, sourcePath: string): Promise<void> {
    const target = this.path(key);
    await mkdir(dirname(target), { recursive: true });
    const partial = `${target}.${process.pid}.part`;
    // A copy, not a rename: the temporary file may be on another file system.
    await copyFile(sourcePath, partial);
    await rename(partial, target);
  }

  async get(key: string): Promise<StoredBytes | undefined> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.path(key), "r");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    const { size } = await handle.stat();
    // The stream owns the handle: a file deleted meanwhile is still read to the end.
    return { stream: handle.createReadStream({ autoClose: true }), size };
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  private path(key: string): string {
    if (!SAFE_KEY.test(key) || key.startsWith(".")) throw new Error(`unsafe file key ${JSON.stringify(key)}`);
    return join(this.root, key.slice(0, 2), key);
  }
}
