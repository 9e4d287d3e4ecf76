import { CloseCode } from "@parley/protocol";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { type Kysely, sql } from "kysely";
import { type DestinationStream, pino } from "pino";
import { isOpen } from "../auth/allow-list.js";
import { type Auth, createAuth, providerList } from "../auth/auth.js";
import { redisSessionStorage } from "../auth/redis-session-storage.js";
import { type SessionEndedTopic, Sessions } from "../auth/sessions.js";
import { InProcessBus } from "../bus/in-process-bus.js";
import { InProcessTopic } from "../bus/in-process-topic.js";
import { RedisBus } from "../bus/redis-bus.js";
import { connectRedis, type RedisConnections } from "../bus/redis-connections.js";
import { RedisTopic } from "../bus/redis-topic.js";
import { ChatService } from "../chat/chat-service.js";
import type { Bus, PresenceStore } from "../chat/ports.js";
import type { MessageIndexer } from "../chat/search/search-ports.js";
import { SearchService } from "../chat/search/search-service.js";
import { isDependencyUnavailable } from "../chat/unavailable.js";
import { type Gateway, registerGateway } from "../gateway/websocket-gateway.js";
import { DependencyHealth, firstDown } from "../health/dependency-health.js";
import { registerApiRoutes } from "../http/api-routes.js";
import { registerAuthRoutes } from "../http/auth-routes.js";
import { registerHealthRoutes } from "../http/health-routes.js";
import { createMetrics, type Metrics, registerMetricsRoute } from "../http/metrics.js";
import { registerPages } from "../http/pages.js";
import { requestLogFields } from "../http/request-log.js";
import { frameworkErrorHandler, registerSecurityHeaders } from "../http/security-headers.js";
import { registerUnavailableErrors } from "../http/unavailable-errors.js";
import { createLimits } from "../limits/limits.js";
import { InMemoryPresence } from "../presence/in-memory-presence.js";
import { RedisConnectionCounts } from "../presence/redis-connection-counts.js";
import { RedisPresence } from "../presence/redis-presence.js";
import { type DatabaseHandle, openDatabase } from "../storage/database.js";
import { MembershipRepository } from "../storage/membership-repository.js";
import { MessageRepository } from "../storage/message-repository.js";
import { migrateToLatest } from "../storage/migrate.js";
import { RoomRepository } from "../storage/room-repository.js";
import type { Database } from "../storage/schema.js";
import { SearchRepository } from "../storage/search-repository.js";
import { SessionRepository } from "../storage/session-repository.js";
import { UserRepository } from "../storage/user-repository.js";
import type { Config } from "./config.js";
import { betterAuthLog, outageReporter } from "./outage-reporter.js";

/** Cookies remembered per process (a few hundred bytes each). */
const CHECKED_COOKIES = 20_000;

export interface Parley {
  app: FastifyInstance;
  chat: ChatService;
  gateway: Gateway;
  db: Kysely<Database>;
  /** Search: keeps the index in step on message edits and deletes (the edits slice calls it). */
  messageIndex: MessageIndexer;
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

/** Step 1: what the rest stands on. The database (migrated), Redis when configured, the buses. */
interface Infrastructure {
  log: FastifyBaseLogger;
  database: DatabaseHandle;
  redis: RedisConnections | undefined;
  bus: Bus;
  sessionEnded: SessionEndedTopic;
  presence: PresenceStore & { start?(): Promise<void>; stop?(): Promise<void> };
  /** With Redis: open sockets per person over every node. */
  connectionCounts: RedisConnectionCounts | undefined;
  metrics: Metrics;
  /** The name of a dependency that is down right now, if any: its failures answer 503, not 500. */
  down: () => string | undefined;
}

export interface CreateOptions {
  /** Where the log goes (default stdout); tests read it. */
  logDestination?: DestinationStream;
}

async function openInfrastructure(config: Config, options: CreateOptions): Promise<Infrastructure> {
  // Made before fastify, so the database can report problems from the start.
  const logOptions = { level: config.logLevel, serializers: { req: requestLogFields } };
  const log: FastifyBaseLogger = options.logDestination
    ? pino(logOptions, options.logDestination)
    : pino(logOptions);
  const metrics = createMetrics();
  // A dependency going away is logged once and counted, not logged per failed call.
  const outages = outageReporter(log, metrics);
  const databaseHealth = new DependencyHealth("database", outages);
  const database = openDatabase(config.databaseUrl, {
    backgroundCheckpoints: true,
    warn: (message) => log.warn(message),
    timeouts: config.databaseTimeouts,
    health: databaseHealth,
    queryTimed: metrics.queryTimed,
  });
  await migrateToLatest(database.db as Kysely<unknown>, database.kind);
  const redis = config.redisUrl
    ? await connectRedis(config.redisUrl, config.redisTimeouts, new DependencyHealth("redis", outages))
    : undefined;
  const down = () => firstDown([databaseHealth, redis?.health])?.name;
  if (!redis) {
    return {
      log,
      database,
      redis,
      bus: new InProcessBus(),
      sessionEnded: new InProcessTopic<string>(),
      presence: new InMemoryPresence(),
      connectionCounts: undefined,
      metrics,
      down,
    };
  }
  const prefix = config.redisKeyPrefix;
  const presence = new RedisPresence(redis.commands, prefix, redis.health, {
    heartbeatMs: config.timings.presenceHeartbeatMs,
    nodeTimeoutMs: config.timings.presenceNodeTimeoutMs,
  });
  return {
    log,
    database,
    redis,
    bus: await RedisBus.connect(redis, prefix),
    sessionEnded: await RedisTopic.open<string>(redis, `${prefix}sessions-ended`),
    presence,
    connectionCounts: new RedisConnectionCounts(
      redis.commands,
      prefix,
      presence.nodeId,
      redis.health,
      config.timings.presenceNodeTimeoutMs,
    ),
    metrics,
    down,
  };
}

/** Step 2: the chat domain on its ports, and the default room. */
async function createChat(config: Config, infra: Infrastructure): Promise<ChatService> {
  const { db } = infra.database;
  const chat = new ChatService(
    {
      messages: new MessageRepository(db, { indexForSearch: config.search.index === "sql" }),
      rooms: new RoomRepository(db),
      presence: infra.presence,
      memberships: new MembershipRepository(db),
      bus: infra.bus,
      clock: Date,
      metrics: infra.metrics,
      limits: createLimits(
        config.limits,
        infra.redis && { client: infra.redis.commands, keyPrefix: config.redisKeyPrefix },
      ),
    },
    { presenceBatchMs: config.timings.presenceBatchMs, reorderWaitMs: config.timings.reorderWaitMs },
  );
  infra.metrics.countPresenceWith(() => chat.hub.presentMembers());
  await infra.presence.start?.();
  await chat.ensureDefaultRoom();
  return chat;
}

/** Step 3: sign-in (better-auth) and the sessions service every edge asks who is signed in. */
interface Authentication {
  auth: Auth;
  sessions: Sessions;
  sessionStore: ReturnType<typeof redisSessionStorage> | undefined;
  sessionTable: SessionRepository;
}

function createAuthentication(config: Config, infra: Infrastructure): Authentication {
  const { db, kind } = infra.database;
  const sessionStore =
    infra.redis && redisSessionStorage(infra.redis.commands, config.redisKeyPrefix, infra.redis.health);
  const auth = createAuth({
    db,
    databaseKind: kind,
    publicUrl: config.publicUrl,
    secret: config.authSecret,
    devSignIn: config.devSignIn,
    providers: config.providers,
    allowList: config.allowList,
    sessionTtlSeconds: config.sessionTtlSeconds,
    rateLimit: config.authRateLimit,
    ...(sessionStore && { secondaryStorage: sessionStore }),
    onSessionEnded: (sessionId) => void infra.sessionEnded.publish(sessionId).catch(() => undefined),
    log: betterAuthLog(infra.log),
  });
  const sessionTable = new SessionRepository(db);
  const sessions = new Sessions(
    auth,
    (sessionIds) => sessionTable.live(sessionIds),
    infra.sessionEnded,
    {
      // Well inside better-auth's renewal age, so a busy session is still renewed on time.
      confirmWindowMs: Math.min(config.timings.sessionConfirmWindowMs, (config.sessionTtlSeconds * 1000) / 4),
      maxCheckedCookies: CHECKED_COOKIES,
      sweepIntervalMs: config.sessionSweepIntervalMs,
    },
    (error) => {
      // An outage is logged once by the dependency's health; anything else is worth a line.
      if (!isDependencyUnavailable(error)) infra.log.warn({ err: error }, "session sweep failed");
    },
  );
  infra.metrics.countSessionsWith(() => sessions.watchedCount);
  return { auth, sessions, sessionStore, sessionTable };
}

/** Step 4: the edges. Fastify with the REST routes, pages, health and metrics, and the gateway. */
async function createEdges(
  config: Config,
  infra: Infrastructure,
  chat: ChatService,
  { auth, sessions, sessionStore, sessionTable }: Authentication,
  search: SearchService | undefined,
): Promise<{ app: FastifyInstance; gateway: Gateway }> {
  const { db } = infra.database;
  const app = Fastify({
    loggerInstance: infra.log,
    // Only the configured proxies' X-Forwarded-For is believed; without any, the socket's address is the client's.
    trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false,
    bodyLimit: 256 * 1024,
    // Answers fastify makes before any hook (an undecodable URL) get the security headers too.
    frameworkErrors: frameworkErrorHandler(config.publicUrl),
  });
  // First, so its hook covers every route registered after it, and the 404 handler.
  await registerSecurityHeaders(app, { publicUrl: config.publicUrl });
  registerUnavailableErrors(app, infra.down);
  if (isOpen(config.allowList)) {
    app.log.warn(
      "ALLOWED_EMAIL_DOMAINS and ALLOWED_EMAILS are unset: anyone who can reach a provider may sign in",
    );
  }
  const gateway = registerGateway(app, {
    chat,
    sessions,
    publicUrl: config.publicUrl,
    sendQueueLimitBytes: config.sendQueueLimitBytes,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    metrics: infra.metrics,
    maxConnectionsPerUser: config.maxConnectionsPerUser,
    ...(infra.connectionCounts && { sharedConnectionCounts: infra.connectionCounts }),
    down: infra.down,
  });
  registerMetricsRoute(app, infra.metrics, {
    token: config.metricsToken,
    trustsProxies: config.trustedProxies.length > 0,
  });
  registerAuthRoutes(app, {
    auth,
    publicUrl: config.publicUrl,
    down: infra.down,
    ...(sessionStore && { sessionStore }),
    sessions: {
      currentSessionId: async (headers) => (await sessions.lookup(headers))?.sessionId ?? null,
      isLive: async (sessionId) => (await sessionTable.live([sessionId])).has(sessionId),
    },
  });
  registerApiRoutes(app, {
    chat,
    ...(search && { search }),
    currentUser: sessions.currentUser,
    users: new UserRepository(db),
    publicUrl: config.publicUrl,
    signInOptions: { devSignIn: config.devSignIn, providers: providerList(config.providers) },
  });
  const { redis } = infra;
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
  await registerPages(app, {
    currentUser: sessions.currentUser,
    webRoot: config.webRoot,
    production: config.production,
  });
  return { app, gateway };
}

/** Wires every layer from the configuration, in the steps above. Nothing listens until `listen`. */
export async function createParley(config: Config, options: CreateOptions = {}): Promise<Parley> {
  const infra = await openInfrastructure(config, options);
  const chat = await createChat(config, infra);
  const authentication = createAuthentication(config, infra);
  const searchIndex = new SearchRepository(infra.database.db);
  const search =
    config.search.index === "sql"
      ? new SearchService(searchIndex, chat.deps.rooms, chat.access, config.search)
      : undefined;
  const { app, gateway } = await createEdges(config, infra, chat, authentication, search);
  authentication.sessions.start();

  let closing: Promise<void> | undefined;
  return {
    app,
    chat,
    gateway,
    db: infra.database.db,
    messageIndex: searchIndex,
    // With WORKERS, each worker binds the port itself (SO_REUSEPORT, Node 22.12+) and the kernel
    // spreads new connections over them, instead of node:cluster's primary accepting every
    // connection and passing it on over IPC (decision 0009).
    listen: () =>
      app.listen({
        host: config.host,
        port: config.port,
        ...(config.workers > 1 && { exclusive: true, reusePort: true }),
      }),
    close() {
      closing ??= (async () => {
        authentication.sessions.stop();
        gateway.closeAll(CloseCode.serviceRestart, "server restarting");
        await app.close();
        await chat.flushPresence().catch(() => undefined);
        await infra.presence.stop?.();
        await infra.database.close();
        infra.redis?.disconnect();
      })();
      return closing;
    },
  };
}
