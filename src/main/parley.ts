import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { type Kysely, sql } from "kysely";
import { type DestinationStream, pino } from "pino";
import { isOpen } from "../auth/allow-list.js";
import { createAuth, providerList } from "../auth/auth.js";
import { CurrentUser } from "../auth/current-user.js";
import { redisSessionStorage } from "../auth/redis-session-storage.js";
import { InProcessBus } from "../bus/in-process-bus.js";
import { RedisBus } from "../bus/redis-bus.js";
import { connectRedis } from "../bus/redis-connections.js";
import { ChatService } from "../chat/chat-service.js";
import { CloseCode } from "../gateway/close-codes.js";
import { type Gateway, registerGateway } from "../gateway/websocket-gateway.js";
import { DependencyHealth, firstDown } from "../health/dependency-health.js";
import { registerApiRoutes } from "../http/api-routes.js";
import { registerAuthRoutes } from "../http/auth-routes.js";
import { registerHealthRoutes } from "../http/health-routes.js";
import { createMetrics, registerMetricsRoute } from "../http/metrics.js";
import { registerPages } from "../http/pages.js";
import { registerUnavailableErrors } from "../http/unavailable-errors.js";
import { InMemoryPresence } from "../presence/in-memory-presence.js";
import { RedisConnectionCounts } from "../presence/redis-connection-counts.js";
import { RedisPresence } from "../presence/redis-presence.js";
import { openDatabase } from "../storage/database.js";
import { MembershipRepository } from "../storage/membership-repository.js";
import { MessageRepository } from "../storage/message-repository.js";
import { migrateToLatest } from "../storage/migrate.js";
import { RoomRepository } from "../storage/room-repository.js";
import type { Database } from "../storage/schema.js";
import { SessionRepository } from "../storage/session-repository.js";
import { UserRepository } from "../storage/user-repository.js";
import type { Config } from "./config.js";
import { betterAuthLog, outageReporter } from "./outage-reporter.js";

/** How long a cookie that passed better-auth's full check is only confirmed against the session table. */
const CHECKED_COOKIE_REUSE_MS = 60_000;
/** Cookies remembered per process (a few hundred bytes each). */
const CHECKED_COOKIES = 20_000;

export interface Parley {
  app: FastifyInstance;
  chat: ChatService;
  gateway: Gateway;
  db: Kysely<Database>;
  /** Starts listening; resolves with the address it listens on. */
  listen(): Promise<string>;
  /** Graceful stop: no new connections, sockets told to reconnect elsewhere, database closed. */
  close(): Promise<void>;
}

/** Applies pending migrations and closes the connection (used once before forking workers). */
export async function migrateDatabase(config: Config): Promise<void> {
  const { db, kind } = openDatabase(config.databaseUrl);
  try {
    await migrateToLatest(db as Kysely<unknown>, kind);
  } finally {
    await db.destroy();
  }
}

export interface CreateOptions {
  /** Where the log goes (default stdout); tests read it. */
  logDestination?: DestinationStream;
}

/** Wires every layer from the configuration. Nothing listens until `listen`. */
export async function createParley(config: Config, options: CreateOptions = {}): Promise<Parley> {
  // Made before fastify, so the database can report problems from the start.
  const log: FastifyBaseLogger = options.logDestination
    ? pino({ level: config.logLevel }, options.logDestination)
    : pino({ level: config.logLevel });
  let connectionCount = () => 0;
  const metrics = createMetrics(() => connectionCount());
  const outages = outageReporter(log, metrics);
  const databaseHealth = new DependencyHealth("database", outages);
  const database = openDatabase(config.databaseUrl, {
    backgroundCheckpoints: true,
    warn: (message) => log.warn(message),
    timeouts: config.databaseTimeouts,
    health: databaseHealth,
  });
  const { db, kind } = database;
  await migrateToLatest(db as Kysely<unknown>, kind);

  const redis = config.redisUrl
    ? await connectRedis(config.redisUrl, config.redisTimeouts, new DependencyHealth("redis", outages))
    : undefined;
  const bus = redis ? await RedisBus.connect(redis, config.redisKeyPrefix) : new InProcessBus();
  const down = () => firstDown([databaseHealth, redis?.health])?.name;
  const auth = createAuth({
    db,
    databaseKind: kind,
    publicUrl: config.publicUrl,
    secret: config.authSecret,
    devSignIn: config.devSignIn,
    providers: config.providers,
    allowList: config.allowList,
    sessionTtlSeconds: config.sessionTtlSeconds,
    ...(redis && {
      secondaryStorage: redisSessionStorage(redis.commands, config.redisKeyPrefix, redis.health),
    }),
    onSessionEnded: (sessionId) => void bus.publish({ kind: "session_ended", sessionId }),
    log: betterAuthLog(log),
  });
  const redisPresence =
    redis &&
    new RedisPresence(
      redis.commands,
      config.redisKeyPrefix,
      (roomId, userIds) => chat.membersVanished(roomId, userIds),
      redis.health,
    );
  const chat = new ChatService({
    messages: new MessageRepository(db),
    rooms: new RoomRepository(db),
    presence: redisPresence ?? new InMemoryPresence(),
    memberships: new MembershipRepository(db),
    bus,
    clock: Date,
  });
  await redisPresence?.start();
  await chat.ensureDefaultRoom();

  const app = Fastify({
    loggerInstance: log,
    trustProxy: true,
    bodyLimit: 256 * 1024,
  });
  registerUnavailableErrors(app, down);

  if (isOpen(config.allowList)) {
    app.log.warn(
      "ALLOWED_EMAIL_DOMAINS and ALLOWED_EMAILS are unset: anyone who can reach a provider may sign in",
    );
  }

  const sessions = new SessionRepository(db);
  const liveSessions = (sessionIds: string[]) => sessions.live(sessionIds);
  const currentUser = new CurrentUser(auth, liveSessions, {
    // Well inside better-auth's renewal age, so a busy session is still renewed on time.
    reuseMs: Math.min(CHECKED_COOKIE_REUSE_MS, (config.sessionTtlSeconds * 1000) / 4),
    maxEntries: CHECKED_COOKIES,
  });
  const gateway = registerGateway(app, {
    chat,
    bus,
    onSlowClientClosed: () => metrics.slowClientDisconnects.inc(),
    onUpgradeRefused: (reason) => metrics.refusedUpgrades.inc({ reason }),
    maxConnectionsPerUser: config.maxConnectionsPerUser,
    ...(redis &&
      redisPresence && {
        sharedConnectionCounts: new RedisConnectionCounts(
          redis.commands,
          config.redisKeyPrefix,
          redisPresence.nodeId,
          redis.health,
        ),
      }),
    down,
    currentUser,
    publicUrl: config.publicUrl,
    sendQueueLimitBytes: config.sendQueueLimitBytes,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    sessionSweepIntervalMs: config.sessionSweepIntervalMs,
    liveSessions,
  });
  connectionCount = gateway.connectionCount;
  registerMetricsRoute(app, metrics, config.metricsToken);
  registerAuthRoutes(app, { auth, publicUrl: config.publicUrl, down });
  registerApiRoutes(app, {
    chat,
    currentUser,
    users: new UserRepository(db),
    publicUrl: config.publicUrl,
    signInOptions: { devSignIn: config.devSignIn, providers: providerList(config.providers) },
  });
  registerHealthRoutes(app, {
    readinessChecks: {
      database: async () => {
        await sql`select 1`.execute(db);
      },
      ...(redis && {
        redis: async () => {
          if (!redis.available) throw new Error("Redis is not connected or stopped answering");
          await redis.commands.ping().catch((error: unknown) => {
            throw redis.health.failed(error);
          });
        },
      }),
    },
  });
  await registerPages(app, { currentUser, webRoot: config.webRoot, production: config.production });

  let closing: Promise<void> | undefined;
  return {
    app,
    chat,
    gateway,
    db,
    listen: () => app.listen({ host: config.host, port: config.port }),
    close() {
      closing ??= (async () => {
        gateway.closeAll(CloseCode.serviceRestart, "server restarting");
        await app.close();
        await chat.flushPresence().catch(() => undefined);
        await redisPresence?.stop();
        await database.close();
        redis?.disconnect();
      })();
      return closing;
    },
  };
}
