import { randomBytes } from "node:crypto";
import mysql from "mysql2/promise";
import pg from "pg";

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

function scratchName(): string {
  return `parley_bench_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
}

function withDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A fresh, empty MariaDB/MySQL database on the server at `serverUrl`, so every run starts from nothing. */
export async function createMysqlDatabase(serverUrl: string): Promise<ScratchDatabase> {
  const name = scratchName();
  const admin = await mysql.createConnection(serverUrl);
  await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  await admin.end();
  return {
    url: withDatabase(serverUrl, name),
    async drop() {
      const again = await mysql.createConnection(serverUrl);
      await again.query(`DROP DATABASE IF EXISTS ${name}`);
      await again.end();
    },
  };
}

export async function createPostgresDatabase(serverUrl: string): Promise<ScratchDatabase> {
  const name = scratchName();
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: withDatabase(serverUrl, name),
    async drop() {
      const again = new pg.Client({ connectionString: serverUrl });
      await again.connect();
      await again.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.end();
    },
  };
}
