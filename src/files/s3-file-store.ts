import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import type { FileStore, StoredBytes } from "./file-store.js";

/** How to reach the bucket; see S3_* in docs/configuration.md. */
export interface S3Settings {
  bucket: string;
  region: string;
  /** For S3-compatible services (MinIO, Ceph, R2…); unset for AWS itself. */
  endpoint?: string;
  /** Bucket in the path rather than the host name (most self-hosted services need it). */
  forcePathStyle: boolean;
  /** Unset: the SDK's default chain (environment, shared files, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Prefix of every key, so several installations can share a bucket. */
  keyPrefix: string;
}

/**
 * Files in an S3-compatible bucket (AWS SDK v3), so every node reads what any node stored. Uploads
 * stream from the finished temporary file with its length known; downloads stream the body.
 * Checksums are computed only when the operation requires them: with the SDK's newer default
 * (streamed bodies sent aws-chunked with a trailing CRC32) some S3-compatible servers, s3rver among
 * them, store the chunk framing as the file's bytes (decision 0044).
 */
export class S3FileStore implements FileStore {
  private readonly client: S3Client;

  constructor(private readonly settings: S3Settings) {
    this.client = new S3Client({
      region: settings.region,
      forcePathStyle: settings.forcePathStyle,
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      ...(settings.endpoint && { endpoint: settings.endpoint }),
      ...(settings.credentials && { credentials: settings.credentials }),
    });
  }

  async put(key: string, sourcePath: string, size: number, contentType: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.settings.bucket,
        Key: this.key(key),
        Body: createReadStream(sourcePath),
        ContentLength: size,
        ContentType: contentType,
      }),
    );
  }

  async get(key: string): Promise<StoredBytes | undefined> {
    try {
      const object = await this.client.send(
        new GetObjectCommand({ Bucket: this.settings.bucket, Key: this.key(key) }),
      );
      if (!(object.Body instanceof Readable)) throw new Error("the S3 client returned no stream body");
      return { stream: object.Body, size: Number(object.ContentLength ?? 0) };
    } catch (error) {
      if (error instanceof NoSuchKey) return undefined;
      if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    // S3 answers a delete of a missing key with success too.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: this.key(key) }));
  }

  /** Closes the client's sockets. */
  destroy(): void {
    this.client.destroy();
  }

  private key(key: string): string {
    return `${this.settings.keyPrefix}${key}`;
  }
}
