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
  | {
      kind: "refused";
      status: number;
      error: UploadRefusal;
      message: string;
      /** When a retry may succeed without the person doing anything (absent: not by waiting). */
      retryAfterMs?: number;
    };

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

/** Queued byte deletions read at a time. */
const DELETION_BATCH = 100;

/** Pending uploads a quota refusal looks at to say when room frees up. */
const PENDING_LOOKAHEAD = 1000;

class TooLargeError extends Error {}

/** A size in words: MB, or KB under one MB (a small quota would read "0 MB of your 0 MB"). */
const sizeText = (bytes: number) =>
  bytes < 1024 * 1024
    ? `${Math.round((bytes / 1024) * 10) / 10} KB`
    : `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;

/**
 * Uploads, from the arriving bytes to the stored file, and who may read them. The bytes stream
 * to a temporary file (counted, cut off past the limit), the type is read from them, images are
 * re-encoded without metadata with a thumbnail, and the result goes to the file store; the record
 * stays pending (only its uploader sees it) until a message binds it (decision 0042).
 */
export class FileService {
  private sweeper: NodeJS.Timeout | undefined;
  private deleting: Promise<number> | undefined;
  private deletingNext: Promise<number> | undefined;
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
    if (declaredLength !== undefined) {
      // An early answer for a file that cannot fit; the check that counts is `reserve` below.
      const used = await this.deps.uploads.usedBytes(ownerId);
      if (used + declaredLength > settings.quotaBytes) return this.overQuota(ownerId, used, declaredLength);
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
      // Checked with what is really stored (the declared length may be absent or wrong), and
      // reserved in the same step: two uploads at once never both fit in the same room.
      const reservation = await this.deps.uploads.reserve(upload, settings.quotaBytes);
      if (reservation.kind === "over_quota") {
        return this.overQuota(ownerId, reservation.usedBytes, upload.size);
      }
      // The record first, then the bytes: a record without bytes (a crash here) is a pending upload
      // nobody knows the id of, swept after UPLOAD_PENDING_TTL_MS; bytes without a record would
      // stay for good.
      try {
        if (thumbnail)
          await this.deps.files.put(thumbnailKey(id), thumbnail.path, thumbnail.size, "image/webp");
        await this.deps.files.put(id, stored.path, stored.size, type);
      } catch (error) {
        await this.discard(upload);
        throw error;
      }
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
   * Deletes pending uploads older than the TTL, then every stored byte still queued for deletion
   * (a deleted room's files, or bytes a crash or a store outage left behind); returns how many
   * pending uploads it deleted.
   */
  async sweepPending(): Promise<number> {
    const before = this.deps.clock.now() - this.deps.settings.pendingTtlMs;
    const deleted = await this.deps.uploads.deletePendingBefore(before, SWEEP_BATCH);
    await this.deleteQueuedBytes();
    return deleted.length;
  }

  /**
   * Sweeps now and then every `intervalMs` until stop(); every node may sweep, a record is
   * deleted once. The sweep at start finishes deletions a stop or crash interrupted.
   */
  startSweeping(intervalMs: number): void {
    if (this.sweeper) return;
    const sweep = () => {
      this.sweepPending().catch((error: unknown) =>
        this.deps.warn?.("sweeping pending uploads failed", error),
      );
    };
    this.sweeper = setInterval(sweep, intervalMs);
    this.sweeper.unref();
    sweep();
  }

  /**
   * Starts removing the bytes queued for deletion (a deleted room's files) without waiting for
   * it: a room may hold thousands of files. Failures are reported and left for the next sweep.
   */
  scheduleByteDeletion(): void {
    void this.deleteQueuedBytes();
  }

  /**
   * Removes the bytes queued for deletion, oldest first, and resolves once a pass that started
   * after this call has ended; never rejects (a failure is reported, its bytes stay queued).
   * Returns how many uploads' bytes that pass removed.
   */
  deleteQueuedBytes(): Promise<number> {
    if (!this.deleting) {
      this.deleting = this.deleteQueue().finally(() => {
        this.deleting = undefined;
      });
      return this.deleting;
    }
    // A pass is running and may have read the queue before this call's rows were in it: one more after it.
    this.deletingNext ??= this.deleting.then(() => {
      this.deletingNext = undefined;
      return this.deleteQueuedBytes();
    });
    return this.deletingNext;
  }

  stop(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  private async deleteQueue(): Promise<number> {
    let removed = 0;
    try {
      for (;;) {
        const queued = await this.deps.uploads.queuedDeletions(DELETION_BATCH);
        for (const deletion of queued) {
          await this.deps.files.delete(deletion.uploadId);
          if (deletion.hasThumbnail) await this.deps.files.delete(thumbnailKey(deletion.uploadId));
        }
        await this.deps.uploads.deletionsDone(queued.map((deletion) => deletion.uploadId));
        removed += queued.length;
        if (queued.length < DELETION_BATCH) return removed;
      }
    } catch (error) {
      // The records are gone, so nobody can reach the bytes; they take space until the next sweep.
      this.deps.warn?.("deleting stored bytes of deleted uploads failed; the next sweep retries", error);
      return removed;
    }
  }

  /** A record reserved whose bytes could not be stored: gone again, with whatever bytes made it. */
  private async discard(upload: StoredUpload): Promise<void> {
    try {
      if (await this.deps.uploads.deletePending(upload.id)) await this.deleteQueuedBytes();
    } catch (error) {
      this.deps.warn?.(`discarding upload ${upload.id} failed; the pending sweep deletes it`, error);
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
      `The file is larger than ${sizeText(max)}, the most one file may be here.`,
    );
  }

  /**
   * The refusal of a file that does not fit, saying when it would: uploads never sent are deleted
   * after UPLOAD_PENDING_TTL_MS, so if the person's oldest pending uploads expiring would make
   * room, `retryAfterMs` says when the first such moment comes (if they are not sent before).
   */
  private async overQuota(ownerId: string, used: number, size: number): Promise<UploadOutcome> {
    const { quotaBytes, pendingTtlMs } = this.deps.settings;
    const taken = `Your files take ${sizeText(used)} of your ${sizeText(quotaBytes)}; this one (${sizeText(size)}) does not fit.`;
    let freed = 0;
    for (const pending of await this.deps.uploads.pendingOf(ownerId, PENDING_LOOKAHEAD)) {
      freed += pending.size;
      if (used - freed + size > quotaBytes) continue;
      const retryAfterMs = Math.max(0, pending.createdAt + pendingTtlMs - this.deps.clock.now());
      const at = new Date(this.deps.clock.now() + retryAfterMs).toISOString().slice(0, 16).replace("T", " ");
      return refused(
        413,
        "quota_exceeded",
        `${taken} Delete messages with files to make room, or try again after ${at} UTC, when files you uploaded but have not sent expire.`,
        retryAfterMs,
      );
    }
    return refused(413, "quota_exceeded", `${taken} Delete messages with files to make room.`);
  }
}

function refused(
  status: number,
  error: UploadRefusal,
  message: string,
  retryAfterMs?: number,
): UploadOutcome {
  return { kind: "refused", status, error, message, ...(retryAfterMs !== undefined && { retryAfterMs }) };
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
