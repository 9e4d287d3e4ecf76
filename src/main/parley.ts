import { CloseCode } from "@parley/protocol";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { type Kysely, sql } from "kysely";
import { type DestinationStream, pino } from "pino";
import { isOpen } from "../auth/allow-list.js";
import { type Auth, createAuth, providerList } from "../auth/auth.js";
import { LiveSessionBatch } from "../auth/live-session-batch.js";
import { redisSessionStorage } from "../auth/redis-session-storage.js";
import { type SessionEndedTopic, Sessions } from "../auth/sessions.js";
import { InProcessBus } from "../bus/in-process-bus.js";
import { InProcessTopic } from "../bus/in-process-topic.js";
import { RedisBus } from "../bus/redis-bus.js";
import { connectRedis, type RedisConnections } from "../bus/redis-connections.js";
import { RedisTopic } from "../bus/redis-topic.js";
import type { Administration } from "../chat/administration.js";
import { administratorsModerate } from "../chat/administration.js";
import { ChatService } from "../chat/chat-service.js";
import { MessageChangeHookList } from "../chat/message-change-hook-list.js";
import type { Bus, PresenceStore } from "../chat/ports.js";
import { SearchService } from "../chat/search/search-service.js";
import { isDependencyUnavailable } from "../chat/unavailable.js";
// files (issue 16):
import { FileService } from "../files/file-service.js";
import type { FileStore } from "../files/file-store.js";
import { LocalFileStore } from "../files/local-file-store.js";
import { ConnectAdmission } from "../gateway/connect-admission.js";
import { type Gateway, registerGateway } from "../gateway/websocket-gateway.js";
import { DependencyHealth, firstDown } from "../health/dependency-health.js";
import { registerApiRoutes } from "../http/api-routes.js";
import { registerAuthRoutes } from "../http/auth-routes.js";
import { registerFileRoutes } from "../http/file-routes.js";
import { registerHealthRoutes } from "../http/health-routes.js";
import { createMetrics, type Metrics, registerMetricsRoute } from "../http/metrics.js";
import { registerNotifyRoutes } from "../http/notify-routes.js";
import { registerPages } from "../http/pages.js";
import { requestLogFields } from "../http/request-log.js";
import { frameworkErrorHandler, registerSecurityHeaders } from "../http/security-headers.js";
import { registerUnavailableErrors } from "../http/unavailable-errors.js";
import { createLimits } from "../limits/limits.js";
import { MemoryTypingGate, RedisTypingGate } from "../limits/typing-gate.js";
import { InMemoryActivity } from "../presence/in-memory-activity.js";
import { InMemoryPresence } from "../presence/in-memory-presence.js";
import { RedisActivity } from "../presence/redis-activity.js";
import { RedisConnectionCounts } from "../presence/redis-connection-counts.js";
import { RedisPresence } from "../presence/redis-presence.js";
import { WebPushSender } from "../push/web-push-sender.js";
import { auditLogFields } from "../storage/audit-repository.js";
import { type DatabaseHandle, openDatabase } from "../storage/database.js";
import { MembershipRepository } from "../storage/membership-repository.js";
import { MentionRepository } from "../storage/mention-repository.js";
import { MessageChangeRepository } from "../storage/message-change-repository.js";
import { MessageRepository } from "../storage/message-repository.js";
import { migrateToLatest } from "../storage/migrate.js";
import { NotificationLevelRepository } from "../storage/notification-level-repository.js";
import { PeopleRepository } from "../storage/people-repository.js";
import { PushSubscriptionRepository } from "../storage/push-subscription-repository.js";
import { RoomMemberRepository } from "../storage/room-member-repository.js";
import { RoomRepository } from "../storage/room-repository.js";
import type { Database } from "../storage/schema.js";
import { SearchIndexer } from "../storage/search-indexer.js";
import { SearchRepository } from "../storage/search-repository.js";
import { SessionRepository } from "../storage/session-repository.js";
import { UploadRepository } from "../storage/upload-repository.js";
import { UserRepository } from "../storage/user-repository.js";
import { activityReportInterval, createAdministration } from "./administration-wiring.js";
import type { Config } from "./config.js";
import { betterAuthLog, outageReporter } from "./outage-reporter.js";

/** Cookies remembered per process (a few hundred bytes each). */
const CHECKED_COOKIES = 20_000;
/** How often rooms another node left unindexed (it crashed) are looked for. */
const SEARCH_INDEX_SWEEP_MS = 60_000;

export interface Parley {
  app: FastifyInstance;
  chat: ChatService;
  /** Roles, room settings, people (admin slice). */
  administration: Administration;
  gateway: Gateway;
  db: Kysely<Database>;
  /**
   * files (issue 16): uploads and their bytes. A message's delete takes its files' records and
   * queues their bytes in its own transaction; the delete hook then calls `files.deleteQueuedBytes()`.
   */
  files: FileService;
  /** The search index: follows edits and deletions; writes this node's pending postings before a search. */
  searchIndex: SearchRepository;
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
    ? await connectRedis(
        config.redisUrl,
        config.redisTimeouts,
        new DependencyHealth("redis", outages),
        metrics.redisCommandTimed,
      )
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

/**
 * files (issue 16): where file bytes live. The S3 adapter (and the AWS SDK) is loaded only when
 * configured, so a single-node install never loads it.
 */
async function openFileStore(config: Config): Promise<FileStore & { destroy?(): void }> {
  if (config.fileStorage.kind === "local") return new LocalFileStore(config.fileStorage.directory);
  const { S3FileStore } = await import("../files/s3-file-store.js");
  return new S3FileStore(config.fileStorage.settings);
}

/** Step 2: the chat domain on its ports, and the default room. */
async function createChat(
  config: Config,
  infra: Infrastructure,
  changeHooks: MessageChangeHookList,
  indexer: SearchIndexer | undefined,
): Promise<ChatService> {
  const { db } = infra.database;
  const chat = new ChatService(
    {
      messages: new MessageRepository(db, indexer && ((roomIds) => indexer.written(roomIds))),
      changes: new MessageChangeRepository(db),
      changeHooks,
      // Administrators delete anyone's message (roles are read from the people table).
      moderation: administratorsModerate(new PeopleRepository(db), config.administratorEmails),
      rooms: new RoomRepository(db),
      presence: infra.presence,
      memberships: new MembershipRepository(db),
      users: new UserRepository(db),
      bus: infra.bus,
      clock: Date,
      metrics: infra.metrics,
      limits: createLimits(
        config.limits,
        infra.redis && { client: infra.redis.commands, keyPrefix: config.redisKeyPrefix },
      ),
      // notify slice
      notify: {
        members: new RoomMemberRepository(db),
        mentions: new MentionRepository(db),
        levels: new NotificationLevelRepository(db),
        push: new WebPushSender(new PushSubscriptionRepository(db), config.notify.vapid, infra.log),
        typing: infra.redis
          ? new RedisTypingGate(infra.redis.commands, config.redisKeyPrefix, config.notify.typingIntervalMs)
          : new MemoryTypingGate(config.notify.typingIntervalMs),
        settings: { roomMentionMaxMembers: config.notify.roomMentionMaxMembers },
      },
      // files (issue 16):
      uploads: new UploadRepository(db),
    },
    {
      presenceBatchMs: config.timings.presenceBatchMs,
      reorderWaitMs: config.timings.reorderWaitMs,
      typingBatchMs: config.timings.typingBatchMs,
      accessCacheRooms: config.accessCacheRooms,
    },
  );
  infra.metrics.countPresenceWith(() => chat.hub.presentMembers());
  await infra.presence.start?.();
  await chat.ensureDefaultRoom();
  return chat;
}

/** Step 2b (admin slice): roles, room settings, people and the audit trail, on the chat service. */
function createAdministrationService(
  config: Config,
  infra: Infrastructure,
  chat: ChatService,
  files: FileService,
): Administration {
  const activity = infra.redis
    ? new RedisActivity(
        infra.redis.commands,
        config.redisKeyPrefix,
        infra.redis.health,
        config.timings.presenceNodeTimeoutMs,
        config.awayAfterMs,
      )
    : new InMemoryActivity((userId) => chat.hub.hasConnections(userId));
  return createAdministration({
    db: infra.database.db,
    bus: infra.bus,
    sessionEnded: infra.sessionEnded,
    activity,
    createRoom: (name, creatorId, kind) => chat.createRoom(name, creatorId, kind),
    administratorEmails: config.administratorEmails,
    awayAfterMs: config.awayAfterMs,
    logAudit: (entry) => infra.log.info(auditLogFields(entry), `audit: ${entry.action}`),
    fileBytes: files,
  });
}

/** Step 3: sign-in (better-auth) and the sessions service every edge asks who is signed in. */
interface Authentication {
  auth: Auth;
  sessions: Sessions;
  sessionStore: ReturnType<typeof redisSessionStorage> | undefined;
  sessionTable: SessionRepository;
}

function createAuthentication(
  config: Config,
  infra: Infrastructure,
  administration: Administration,
): Authentication {
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
    // The request's own id, so this line joins the request's other lines (decision 0047).
    onSignedIn: ({ userId, provider, requestId }) =>
      infra.log.info({ reqId: requestId, userId, provider }, "signed in"),
    admission: {
      maySignIn: (userId) => administration.maySignIn(userId),
      signedIn: (userId) => administration.signedIn(userId),
    },
    log: betterAuthLog(infra.log),
  });
  const sessionTable = new SessionRepository(db);
  // Many sockets confirming their sessions at once (a reconnect storm) share one read.
  const liveSessions = new LiveSessionBatch((sessionIds) => sessionTable.live(sessionIds));
  const sessions = new Sessions(
    auth,
    liveSessions.confirm,
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
  administration: Administration,
  files: FileService,
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
    ...(config.connectAdmissionPerSecond > 0 && {
      admission: new ConnectAdmission(config.connectAdmissionPerSecond),
    }),
    ...(infra.connectionCounts && { sharedConnectionCounts: infra.connectionCounts }),
    down: infra.down,
    onActive: (userId, timeZone) => administration.reportActive(userId, timeZone),
    activityReportMs: activityReportInterval(config.awayAfterMs),
    awayAfterMs: config.awayAfterMs,
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
      currentSession: async (headers) => {
        const signedIn = await sessions.lookup(headers);
        return signedIn ? { sessionId: signedIn.sessionId, userId: signedIn.member.id } : null;
      },
      isLive: async (sessionId) => (await sessionTable.live([sessionId])).has(sessionId),
    },
  });
  registerApiRoutes(app, {
    chat,
    ...(search && { search }),
    currentUser: sessions.currentUser,
    users: new UserRepository(db),
    publicUrl: config.publicUrl,
    administration,
    signInOptions: { devSignIn: config.devSignIn, providers: providerList(config.providers) },
  });
  // notify slice
  if (chat.notify) {
    registerNotifyRoutes(app, {
      notify: chat.notify,
      currentUser: sessions.currentUser,
      publicUrl: config.publicUrl,
      subscriptions: new PushSubscriptionRepository(db),
      vapidPublicKey: config.notify.vapid.publicKey,
      allowHttpPushEndpoints: config.notify.allowHttpPushEndpoints,
    });
  }
  // files (issue 16):
  registerFileRoutes(app, { files, currentUser: sessions.currentUser, publicUrl: config.publicUrl });
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
  // Search and files hear of edits and deletions; they are built after the chat, on its RoomAccess.
  const changeHooks = new MessageChangeHookList();
  // search (issue 16): postings are written in batches after each send's commit (decision 0049).
  const indexer =
    config.search.index === "sql"
      ? new SearchIndexer(infra.database.db, infra.database.kind, {
          delayMs: config.search.indexDelayMs,
          sweepIntervalMs: SEARCH_INDEX_SWEEP_MS,
          warn: (error) => infra.log.warn({ err: error }, "search indexing failed; retried later"),
        })
      : undefined;
  await indexer?.start();
  const chat = await createChat(config, infra, changeHooks, indexer);
  // files (issue 16):
  const fileStore = await openFileStore(config);
  const files = new FileService({
    uploads: new UploadRepository(infra.database.db),
    files: fileStore,
    access: chat.access,
    clock: Date,
    settings: config.uploads,
    warn: (message, error) => infra.log.warn({ err: error }, message),
  });
  const administration = createAdministrationService(config, infra, chat, files);
  const authentication = createAuthentication(config, infra, administration);
  // A deleted message's files go with it: its delete took their records and queued their bytes
  // (decision 0054); this removes the bytes.
  changeHooks.add({
    edited: async () => undefined,
    deleted: async () => {
      await files.deleteQueuedBytes();
    },
  });
  // search (issue 16): the index follows edits and deletions.
  const searchIndex = new SearchRepository(infra.database.db, infra.database.kind, indexer);
  const search =
    config.search.index === "sql"
      ? new SearchService(searchIndex, chat.deps.rooms, chat.access, config.search)
      : undefined;
  changeHooks.add({
    edited: (message) => searchIndex.reindex(message.roomId, message.seq),
    deleted: (message) => searchIndex.remove(message.roomId, message.seq),
  });
  const { app, gateway } = await createEdges(
    config,
    infra,
    chat,
    authentication,
    administration,
    files,
    search,
  );
  authentication.sessions.start();
  files.startSweeping(config.uploadSweepIntervalMs);

  let closing: Promise<void> | undefined;
  return {
    app,
    chat,
    administration,
    gateway,
    db: infra.database.db,
    files,
    searchIndex,
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
        files.stop();
        gateway.closeAll(CloseCode.serviceRestart, "server restarting");
        await app.close();
        await chat.flushPresence().catch(() => undefined);
        await indexer?.stop().catch(() => undefined);
        await infra.presence.stop?.();
        await infra.database.close();
        infra.redis?.disconnect();
        fileStore.destroy?.();
      })();
      return closing;
    },
  };
}
