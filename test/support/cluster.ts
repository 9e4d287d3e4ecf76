import { randomBytes } from "node:crypto";
import { type TestDatabase, testDatabases } from "./databases.js";
import { startServer, type TestServer } from "./parley-server.js";
import { deleteKeys, uniquePrefix } from "./redis.js";

export interface Cluster {
  nodes: TestServer[];
  /** What every node of this cluster shares: database, Redis and secret. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * The database nodes share: PostgreSQL or MariaDB, as in production. (Several in-process nodes on
 * one SQLite file would block each other's event loop on its write lock; separate processes do not.)
 */
export function clusterDatabase(): TestDatabase | undefined {
  const databases = testDatabases();
  const shared = databases.find((database) => database.name === "postgres" || database.name === "mariadb");
  if (!shared)
    console.warn("[parley] skipping multi-node tests: they need TEST_POSTGRES_URL or TEST_MYSQL_URL");
  return shared;
}

/** Several Parley nodes on random ports sharing one database and one Redis. */
export async function startCluster(
  size: number,
  redisUrl: string,
  extraEnv: Record<string, string> = {},
): Promise<Cluster> {
  const shared = clusterDatabase();
  if (!shared) throw new Error("no shared database for a cluster");
  const database = await shared.create();
  const prefix = uniquePrefix();
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: prefix,
    AUTH_SECRET: randomBytes(32).toString("base64url"),
    // A dead node is noticed in about two seconds instead of production's fifteen.
    PRESENCE_HEARTBEAT_MS: "300",
    PRESENCE_NODE_TIMEOUT_MS: "2000",
    ...extraEnv,
  };
  const nodes: TestServer[] = [];
  // One at a time: the first runs the migrations.
  for (let i = 0; i < size; i++) nodes.push(await startServer({ databaseUrl: database.url, env }));
  return {
    nodes,
    env,
    async close() {
      await Promise.all(nodes.map((node) => node.close()));
      await database.drop();
      await deleteKeys(redisUrl, prefix);
    },
  };
}
