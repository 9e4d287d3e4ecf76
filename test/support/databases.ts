import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mysql from "mysql2/promise";
import pg from "pg";

export interface TestDatabase {
  name: "sqlite" | "mariadb" | "mariadb-default-collation" | "postgres";
  /** A fresh, empty database for one test file; drop() removes it. */
  create(): Promise<{ url: string; drop(): Promise<void> }>;
}

function uniqueName(): string {
  return `parley_t_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
}

export const sqliteDatabase: TestDatabase = {
  name: "sqlite",
  async create() {
    const dir = mkdtempSync(join(tmpdir(), "parley-db-"));
    return { url: join(dir, "parley.sqlite"), drop: async () => undefined };
  },
};

function mariadb(serverUrl: string, serverDefaultCollation = false): TestDatabase {
  return {
    name: serverDefaultCollation ? "mariadb-default-collation" : "mariadb",
    async create() {
      const name = uniqueName();
      const admin = await mysql.createConnection(serverUrl);
      // As most installs make it: the server's default collation, case-insensitive (general_ci, uca…).
      await admin.query(
        serverDefaultCollation
          ? `CREATE DATABASE ${name} CHARACTER SET utf8mb4`
          : `CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
      );
      await admin.end();
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      return {
        url: url.toString(),
        async drop() {
          const again = await mysql.createConnection(serverUrl);
          await again.query(`DROP DATABASE IF EXISTS ${name}`);
          await again.end();
        },
      };
    },
  };
}

export function postgres(serverUrl: string): TestDatabase {
  return {
    name: "postgres",
    async create() {
      const name = uniqueName();
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      return {
        url: url.toString(),
        async drop() {
          const again = new pg.Client({ connectionString: serverUrl });
          await again.connect();
          await again.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          await again.end();
        },
      };
    },
  };
}

/**
 * SQLite always; MariaDB and PostgreSQL when their URLs are set. In CI a missing URL
 * is a failure, not a skip, so a broken service cannot pass unnoticed.
 */
export function testDatabases(): TestDatabase[] {
  const databases = [sqliteDatabase];
  const mysqlUrl = process.env.TEST_MYSQL_URL;
  const postgresUrl = process.env.TEST_POSTGRES_URL;
  if (mysqlUrl) databases.push(mariadb(mysqlUrl));
  if (postgresUrl) databases.push(postgres(postgresUrl));
  if (process.env.CI && (!mysqlUrl || !postgresUrl)) {
    throw new Error("CI must set TEST_MYSQL_URL and TEST_POSTGRES_URL");
  }
  if (!mysqlUrl || !postgresUrl) {
    console.warn(
      "[parley] skipping MariaDB/PostgreSQL runs: set TEST_MYSQL_URL and TEST_POSTGRES_URL to include them",
    );
  }
  return databases;
}

/**
 * MariaDB with the server's default (case-insensitive) collation, as `CREATE DATABASE parley`
 * makes it; undefined (with a visible skip) without TEST_MYSQL_URL.
 */
export function mariadbWithServerDefaultCollation(): TestDatabase | undefined {
  const mysqlUrl = process.env.TEST_MYSQL_URL;
  if (!mysqlUrl) {
    if (process.env.CI) throw new Error("CI must set TEST_MYSQL_URL");
    console.warn("[parley] skipping MariaDB default-collation runs: set TEST_MYSQL_URL to include them");
    return undefined;
  }
  return mariadb(mysqlUrl, true);
}
