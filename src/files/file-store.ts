import type { Readable } from "node:stream";

/** A stored file's bytes, streamed. */
export interface StoredBytes {
  stream: Readable;
  size: number;
}

/**
 * Where uploaded bytes live: local disk (one node) or an S3-compatible bucket (several nodes).
 * Keys are the server's own (upload ids), never names a client chose. Every method streams:
 * nothing holds a whole file in memory.
 */
export interface FileStore {
  /** Stores the local file at `sourcePath` (a finished temporary file) under `key`, replacing any. */
  put(key: string, sourcePath: string, size: number, contentType: string): Promise<void>;
  /** The bytes under `key`, or undefined when there are none. */
  get(key: string): Promise<StoredBytes | undefined>;
  /** Removes `key`; removing a missing key is no error. */
  delete(key: string): Promise<void>;
}
