import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";

const base = () => ({ NODE_ENV: "test", DATA_DIR: mkdtempSync(join(tmpdir(), "parley-config-")) });

describe("file settings", () => {
  it("defaults to 25 MB files of any type, 1 GB per person, on the local disk under DATA_DIR", () => {
    const env = base();
    const config = loadConfig(env);
    expect(config.uploads).toMatchObject({
      maxFileBytes: 25 * 1024 * 1024,
      allowedTypes: ["*"],
      quotaBytes: 1024 * 1024 * 1024,
      pendingTtlMs: 24 * 60 * 60 * 1000,
      maxImagePixels: 50_000_000,
      tempDir: join(env.DATA_DIR, "tmp"),
    });
    expect(config.fileStorage).toEqual({ kind: "local", directory: join(env.DATA_DIR, "files") });
  });

  it("reads an S3 store, path-style by default once an endpoint is given", () => {
    const config = loadConfig({
      ...base(),
      FILE_STORAGE: "s3",
      S3_BUCKET: "parley-files",
      S3_ENDPOINT: "http://minio:9000",
      S3_ACCESS_KEY_ID: "id",
      S3_SECRET_ACCESS_KEY: "secret",
      UPLOAD_ALLOWED_TYPES: "image/*, Application/PDF",
    });
    expect(config.fileStorage).toEqual({
      kind: "s3",
      settings: {
        bucket: "parley-files",
        region: "us-east-1",
        endpoint: "http://minio:9000",
        forcePathStyle: true,
        credentials: { accessKeyId: "id", secretAccessKey: "secret" },
        keyPrefix: "",
      },
    });
    expect(config.uploads.allowedTypes).toEqual(["image/*", "application/pdf"]);
  });

  it("refuses an S3 store without a bucket, half a key pair, and a type list that is not one", () => {
    expect(() => loadConfig({ ...base(), FILE_STORAGE: "s3" })).toThrow(/FILE_STORAGE=s3 needs S3_BUCKET/);
    expect(() => loadConfig({ ...base(), S3_ACCESS_KEY_ID: "id" })).toThrow(/must be set together/);
    expect(() => loadConfig({ ...base(), UPLOAD_ALLOWED_TYPES: "images" })).toThrow(/UPLOAD_ALLOWED_TYPES/);
    expect(() => loadConfig({ ...base(), UPLOAD_MAX_FILE_BYTES: "0" })).toThrow(/UPLOAD_MAX_FILE_BYTES/);
  });
});
