import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalFileStore } from "../../src/files/local-file-store.js";
import { S3FileStore } from "../../src/files/s3-file-store.js";
import { fileStoreContract } from "../contracts/file-store.contract.js";
import { startS3Server } from "../support/s3-server.js";

fileStoreContract("local disk", async () => {
  const root = await mkdtemp(join(tmpdir(), "parley-files-"));
  return { store: new LocalFileStore(root), close: () => rm(root, { recursive: true, force: true }) };
});

fileStoreContract("S3 (s3rver)", async () => {
  const s3 = await startS3Server();
  const store = new S3FileStore(s3.settings);
  return {
    store,
    async close() {
      store.destroy();
      await s3.close();
    },
  };
});
