import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import type { S3Settings } from "../../src/files/s3-file-store.js";

/**
 * A real S3-compatible server (s3rver, from npm) on a random loopback port, with one empty
 * bucket, driven by the real AWS SDK (decision 0044).
 */
export async function startS3Server(): Promise<{
  settings: S3Settings;
  /** Stops answering (connections refused), keeping the bucket's objects. */
  pause(): Promise<void>;
  /** Answers again, on the same port, with the same objects. */
  resume(): Promise<void>;
  close(): Promise<void>;
}> {
  const directory = await mkdtemp(join(tmpdir(), "parley-s3rver-"));
  let server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory });
  let running = true;
  const { port } = await server.run();
  const settings: S3Settings = {
    bucket: "parley-files",
    region: "us-east-1",
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    // s3rver's fixed development key.
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    keyPrefix: "test/",
  };
  const admin = new S3Client({
    region: settings.region,
    endpoint: settings.endpoint,
    forcePathStyle: true,
    credentials: settings.credentials,
  });
  await admin.send(new CreateBucketCommand({ Bucket: settings.bucket }));
  admin.destroy();
  return {
    settings,
    async pause() {
      await server.close();
      running = false;
    },
    async resume() {
      server = new S3rver({ port, address: "127.0.0.1", silent: true, directory });
      await server.run();
      running = true;
    },
    async close() {
      if (running) await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
