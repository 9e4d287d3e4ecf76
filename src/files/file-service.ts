import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Attachment, UploadLimits, UploadRefusal } from "@parley/protocol";
import type { Clock } from "../chat/ports.js";
import type { RoomAccess } from "../chat/room-access.js";
import { toAttachment } from "./attachment-view.js";
import { cleanFileName } from "./file-name.js";
import type { FileStore, StoredBytes } from "./file-store.js";
import { isInlineImageType, processImage } from "./image-processing.js";
import { sniffType, typeAllowed } from "./sniff.js";
import type { StoredUpload, UploadStore } from "./upload-store.js";

/** The configurable limits of uploads (UPLOAD_* in docs/configuration.md). */
export interface UploadSettings {
  maxFileBytes: number;
  /** MIME types or `type/*` patterns matched against the sniffed type; `*` allows all. */
  allowedTypes: string[];
  /** Bytes one person's files (pending and sent) may take together. */
  quotaBytes: number;
  /** A pending upload never sent is deleted after this long. */
  pendingTtlMs: number;
  /** Images with more pixels than this (all frames together) are refused undecoded. */
  maxImagePixels: number;
  /** Where uploads are streamed while they arrive (local disk, even with S3). */
  tempDir: string;
}

export type UploadOutcome =
  | { kind: "stored"; attachment: Attachment }
  | { kind: "refused"; status: number; error: UploadRefusal; message: string };

/** A file to send to a reader: inline only for the safe raster images that have been re-encoded. */
export interface OpenedFile {
  upload: StoredUpload;
  bytes: StoredBytes;
  inline: boolean;
}

/**
 * Images decoded at once per node. Decoding takes about 4 bytes a pixel (200 MB for 50 MP): two at
 * a time bound the memory; later uploads wait their turn (their bytes are already on disk).
 */
const MAX_CONCURRENT_IMAGES = 2;

/** How many pending uploads one sweep deletes at most; the next sweep takes the rest. */
const SWEEP_BATCH = 200;

class TooLargeError extends Error {}

const mib = (bytes: number) => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;

/**
 * Uploads, from the arriving bytes to the stored file, and who may read them. The bytes stream
 * to a temporary file (counted, cut off past the limit), the type is read from them, images are
 * re-encoded without metadata with a thumbnail, and the result goes to the file store; the record
 * stays pending (only its uploader sees it) until a message binds it (decision 0042).
 */
export class FileService {
  private sweeper: NodeJS.Timeout | undefined;
  private readonly imageTurns = new Turns(MAX_CONCURRENT_IMAGES);

  constructor(
    private readonly deps: {
      uploads: UploadStore;
      files: FileStore;
      access: RoomAccess;
      clock: Clock;
      settings: UploadSettings;
      /** Reports a failure that is no one's request (a sweep, a delete of stored bytes). */
      warn?: (message: string, error: unknown) => void;
    },
  ) {}

  async limits(userId: string): Promise<UploadLimits> {
    const { settings } = this.deps;
    return {
      maxFileBytes: settings.maxFileBytes,
      allowedTypes: settings.allowedTypes,
      quotaBytes: settings.quotaBytes,
      usedBytes: await this.deps.uploads.usedBytes(userId),
    };
  }

  /** Receives one file; `declaredLength` (Content-Length) lets an oversized one be refused unread. */
  async upload(
    ownerId: string,
    rawName: string,
    body: Readable,
    declaredLength: number | undefined,
  ): Promise<UploadOutcome> {
    const { settings } = this.deps;
    if (declaredLength !== undefined && declaredLength > settings.maxFileBytes) {
      return this.tooLarge();
    }
    const used = await this.deps.uploads.usedBytes(ownerId);
    if (declaredLength !== undefined && used + declaredLength > settings.quotaBytes) {
      return this.overQuota(used);
    }
    const id = randomBytes(16).toString("base64url");
    await mkdir(settings.tempDir, { recursive: true });
    const received = join(settings.tempDir, `${id}.upload`);
    const cleanPath = join(settings.tempDir, `${id}.clean`);
    const thumbnailPath = join(settings.tempDir, `${id}.thumb`);
    try {
      let size: number;
      try {
        size = await this.receive(body, received);
      } catch (error) {
        if (error instanceof TooLargeError) return this.tooLarge();
        throw error;
      }
      if (size === 0) return refused(400, "file_empty", "The file is empty.");
      const type = await sniffType(received);
      if (!typeAllowed(type, settings.allowedTypes)) {
        return refused(
          415,
          "file_type_not_allowed",
          `Files of type ${type} are not accepted here (allowed: ${settings.allowedTypes.join(", ")}).`,
        );
      }
      let stored = {
        path: received,
        size,
        width: undefined as number | undefined,
        height: undefined as number | undefined,
      };
      let thumbnail: { path: string; size: number } | undefined;
      if (isInlineImageType(type)) {
        const image = await this.imageTurns.run(() =>
          processImage(received, type, { cleanPath, thumbnailPath }, settings.maxImagePixels),
        );
        if (image.kind === "too_large") {
          const frames = image.frames > 1 ? ` in ${image.frames} frames` : "";
          return refused(
            422,
            "image_too_large",
            `The image is ${image.width}×${image.height} pixels${frames}; this server accepts images of at most ${settings.maxImagePixels.toLocaleString("en")} pixels.`,
          );
        }
        if (image.kind === "unreadable") {
          return refused(
            422,
            "image_unreadable",
            `The file starts like a ${type} image but cannot be read as one.`,
          );
        }
        stored = {
          path: image.cleanPath,
          size: (await stat(image.cleanPath)).size,
          width: image.width,
          height: image.height,
        };
        thumbnail = { path: image.thumbnailPath, size: (await stat(image.thumbnailPath)).size };
      }
      // Checked again with what is really stored: the declared length may be absent or wrong.
      const usedNow = await this.deps.uploads.usedBytes(ownerId);
      if (usedNow + stored.size > settings.quotaBytes) return this.overQuota(usedNow);
      if (thumbnail)
        await this.deps.files.put(thumbnailKey(id), thumbnail.path, thumbnail.size, "image/webp");
      await this.deps.files.put(id, stored.path, stored.size, type);
      const upload: StoredUpload = {
        id,
        ownerId,
        name: cleanFileName(rawName),
        size: stored.size,
        type,
        ...(stored.width !== undefined && { width: stored.width }),
        ...(stored.height !== undefined && { height: stored.height }),
        hasThumbnail: thumbnail !== undefined,
        createdAt: this.deps.clock.now(),
      };
      await this.deps.uploads.insert(upload);
      return { kind: "stored", attachment: toAttachment(upload) };
    } finally {
      await Promise.all([received, cleanPath, thumbnailPath].map((path) => rm(path, { force: true })));
    }
  }

  /**
   * The file (or its thumbnail) if `userId` may read it: a pending upload only by its uploader,
   * a sent one by whoever may read its room (asked of RoomAccess on every request). Undefined
   * otherwise, and for files that do not exist: the two are not told apart.
   */
  async open(userId: string, id: string, variant: "file" | "thumbnail"): Promise<OpenedFile | undefined> {
    const upload = await this.deps.uploads.byId(id);
    if (!upload) return undefined;
    const allowed =
      upload.roomId === undefined
        ? upload.ownerId === userId
        : await this.deps.access.canRead(userId, upload.roomId);
    if (!allowed) return undefined;
    if (variant === "thumbnail") {
      if (!upload.hasThumbnail) return undefined;
      const bytes = await this.deps.files.get(thumbnailKey(id));
      return bytes && { upload, bytes, inline: true };
    }
    const bytes = await this.deps.files.get(id);
    return bytes && { upload, bytes, inline: upload.hasThumbnail && isInlineImageType(upload.type) };
  }

  /**
   * Deletes the files of a message (records first, then bytes): the port the message delete path
   * calls. Returns how many files it deleted.
   */
  async deleteMessageFiles(roomId: string, seq: number): Promise<number> {
    const deleted = await this.deps.uploads.deleteForMessage(roomId, seq);
    await this.deleteBytes(deleted);
    return deleted.length;
  }

  /** Deletes pending uploads older than the TTL; returns how many. */
  async sweepPending(): Promise<number> {
    const before = this.deps.clock.now() - this.deps.settings.pendingTtlMs;
    const deleted = await this.deps.uploads.deletePendingBefore(before, SWEEP_BATCH);
    await this.deleteBytes(deleted);
    return deleted.length;
  }

  /** Sweeps every `intervalMs` until stop(); every node may sweep, a record is deleted once. */
  startSweeping(intervalMs: number): void {
    this.sweeper ??= setInterval(() => {
      this.sweepPending().catch((error: unknown) =>
        this.deps.warn?.("sweeping pending uploads failed", error),
      );
    }, intervalMs);
    this.sweeper.unref();
  }

  stop(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  private async deleteBytes(uploads: StoredUpload[]): Promise<void> {
    for (const upload of uploads) {
      try {
        await this.deps.files.delete(upload.id);
        if (upload.hasThumbnail) await this.deps.files.delete(thumbnailKey(upload.id));
      } catch (error) {
        // The record is gone, so nobody can reach the bytes; they only take space.
        this.deps.warn?.(`deleting the stored bytes of upload ${upload.id} failed`, error);
      }
    }
  }

  /** Streams the body to `path`, counting; throws TooLargeError past the per-file limit. */
  private async receive(body: Readable, path: string): Promise<number> {
    const max = this.deps.settings.maxFileBytes;
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (size > max) done(new TooLargeError());
        else done(null, chunk);
      },
    });
    await pipeline(body, counter, createWriteStream(path, { flags: "wx" }));
    return size;
  }

  private tooLarge(): UploadOutcome {
    const max = this.deps.settings.maxFileBytes;
    return refused(
      413,
      "file_too_large",
      `The file is larger than ${mib(max)}, the most one file may be here.`,
    );
  }

  private overQuota(used: number): UploadOutcome {
    const quota = this.deps.settings.quotaBytes;
    return refused(
      413,
      "quota_exceeded",
      `Your files take ${mib(used)} of your ${mib(quota)}; this one does not fit. Delete messages with files to make room.`,
    );
  }
}

function refused(status: number, error: UploadRefusal, message: string): UploadOutcome {
  return { kind: "refused", status, error, message };
}

function thumbnailKey(id: string): string {
  return `${id}.thumb`;
}

/** At most `limit` tasks run at once; the others wait in arrival order. */
class Turns {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      // The turn passes straight to the next in line, so `running` counts it still.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
