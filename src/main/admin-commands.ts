import { userInfo } from "node:os";
import type { Kysely } from "kysely";
import { InProcessBus } from "../bus/in-process-bus.js";
import { RedisBus } from "../bus/redis-bus.js";
import { connectRedis, type RedisConnections } from "../bus/redis-connections.js";
import { RedisTopic } from "../bus/redis-topic.js";
import type { Administration } from "../chat/administration.js";
import type { Actor } from "../chat/administration-ports.js";
import { ChatService } from "../chat/chat-service.js";
import type { Bus } from "../chat/ports.js";
import { createLimits } from "../limits/limits.js";
import { InMemoryActivity } from "../presence/in-memory-activity.js";
import { InMemoryPresence } from "../presence/in-memory-presence.js";
import { auditLogFields } from "../storage/audit-repository.js";
import { openDatabase } from "../storage/database.js";
import { MembershipRepository } from "../storage/membership-repository.js";
import { MessageChangeRepository } from "../storage/message-change-repository.js";
import { MessageRepository } from "../storage/message-repository.js";
import { migrateToLatest } from "../storage/migrate.js";
import { RoomRepository } from "../storage/room-repository.js";
import { UserRepository } from "../storage/user-repository.js";
import { createAdministration } from "./administration-wiring.js";
import type { Config } from "./config.js";

/** The admin CLI's subcommands, their arguments and one line each, for `parley --help`. */
export const ADMIN_HELP = `Administration (every action is written to the audit table and logged as JSON on stderr):
  people [--json]                List everyone: id, email, role, deactivated.
  grant-admin <person>           Make a person an administrator (<person>: id or email).
  revoke-admin <person>          Take administrator away (not from ADMIN_EMAILS, not the last one).
  deactivate <person>            Refuse their sign-in and end all their sessions (messages kept).
  reactivate <person>            Let a deactivated person sign in again.
  revoke-sessions <person>       Sign a person out everywhere.
  create-room <name>             Create a room (regardless of the room-creation policy).
  archive-room <room>            Archive a room (<room>: id or slug): read-only, out of the list.
  restore-room <room>            Restore an archived room.
  room-creation <everyone|administrators>
                                 Who may create rooms.
  stats [--json]                 Counts of people, rooms, messages and sessions.
  audit [--limit N]              The newest audit entries (default 20).
With REDIS_URL set, running servers hear of changes at once (sockets of a deactivated person
close within a second); without it, within SESSION_SWEEP_INTERVAL_MS.`;

export const ADMIN_COMMANDS = new Set([
  "people",
  "grant-admin",
  "revoke-admin",
  "deactivate",
  "reactivate",
  "revoke-sessions",
  "create-room",
  "archive-room",
  "restore-room",
  "room-creation",
  "stats",
  "audit",
]);

const CLI_MIN_TIMEOUT_MS = 10_000;

/** A mistake in what was asked for, or a refusal: one line, exit status 1. */
export class AdminUsageError extends Error {}

interface Flags {
  json: boolean;
  limit: number | undefined;
}

/** Who the audit trail names for a CLI action: the operating-system user running it. */
function cliActor(): Actor {
  let name = "cli";
  try {
    name = `cli:${userInfo().username}`;
  } catch {
    // No passwd entry (some containers): "cli" it is.
  }
  return { kind: "cli", name };
}

/** The administration service against DATABASE_URL (and REDIS_URL, so running nodes hear of changes). */
async function openAdministration(
  config: Config,
): Promise<{ administration: Administration; close(): Promise<void> }> {
  // A one-off command on a busy machine: waiting longer beats failing halfway through an action.
  const database = openDatabase(config.databaseUrl, {
    timeouts: {
      connectMs: Math.max(config.databaseTimeouts.connectMs, CLI_MIN_TIMEOUT_MS),
      queryMs: Math.max(config.databaseTimeouts.queryMs, CLI_MIN_TIMEOUT_MS),
    },
  });
  let redis: RedisConnections | undefined;
  try {
    await migrateToLatest(database.db as Kysely<unknown>, database.kind);
    redis = config.redisUrl ? await connectRedis(config.redisUrl, config.redisTimeouts) : undefined;
    const bus: Bus = redis ? await RedisBus.connect(redis, config.redisKeyPrefix) : new InProcessBus();
    const sessionEnded = redis
      ? await RedisTopic.open<string>(redis, `${config.redisKeyPrefix}sessions-ended`)
      : undefined;
    const { db } = database;
    const chat = new ChatService({
      messages: new MessageRepository(db),
      rooms: new RoomRepository(db),
      presence: new InMemoryPresence(),
      memberships: new MembershipRepository(db),
      users: new UserRepository(db),
      changes: new MessageChangeRepository(db),
      bus,
      clock: Date,
      limits: createLimits(config.limits),
    });
    const administration = createAdministration({
      db,
      bus,
      sessionEnded,
      activity: new InMemoryActivity(() => false),
      createRoom: (name, creatorId) => chat.createRoom(name, creatorId),
      administratorEmails: config.administratorEmails,
      awayAfterMs: config.awayAfterMs,
      logAudit: (entry) =>
        console.error(
          JSON.stringify({ level: "info", msg: `audit: ${entry.action}`, ...auditLogFields(entry) }),
        ),
    });
    const opened = redis;
    return {
      administration,
      async close() {
        opened?.disconnect();
        await database.close();
      },
    };
  } catch (error) {
    redis?.disconnect();
    await database.close();
    throw error;
  }
}

function one(args: string[], usage: string): string {
  const [value] = args;
  if (args.length !== 1 || value === undefined) throw new AdminUsageError(`usage: parley ${usage}`);
  return value;
}

/** Runs one admin subcommand; returns the exit status. */
export async function runAdminCommand(
  config: Config,
  command: string,
  args: string[],
  flags: Flags,
): Promise<number> {
  const { administration, close } = await openAdministration(config);
  const actor = cliActor();
  try {
    switch (command) {
      case "people": {
        const people = await administration.listPeople(actor);
        if (flags.json) console.log(JSON.stringify(people));
        else
          for (const person of people) {
            const state = person.deactivated ? "deactivated" : "active";
            console.log(`${person.id}\t${person.email}\t${person.name}\t${person.role}\t${state}`);
          }
        return 0;
      }
      case "grant-admin": {
        const person = await administration.grantAdministrator(actor, one(args, "grant-admin <person>"));
        console.log(`parley: ${person.name} (${person.id}) is an administrator`);
        return 0;
      }
      case "revoke-admin": {
        const person = await administration.revokeAdministrator(actor, one(args, "revoke-admin <person>"));
        console.log(`parley: ${person.name} (${person.id}) is no longer an administrator`);
        return 0;
      }
      case "deactivate": {
        const { person, sessionsEnded } = await administration.deactivate(
          actor,
          one(args, "deactivate <person>"),
        );
        console.log(`parley: deactivated ${person.name} (${person.id}); ended ${sessionsEnded} sessions`);
        return 0;
      }
      case "reactivate": {
        const person = await administration.reactivate(actor, one(args, "reactivate <person>"));
        console.log(`parley: reactivated ${person.name} (${person.id})`);
        return 0;
      }
      case "revoke-sessions": {
        const { person, sessionsEnded } = await administration.revokeSessions(
          actor,
          one(args, "revoke-sessions <person>"),
        );
        console.log(`parley: ended ${sessionsEnded} sessions of ${person.name} (${person.id})`);
        return 0;
      }
      case "create-room": {
        const result = await administration.createRoom(actor, one(args, "create-room <name>"));
        if (result.kind === "name_taken")
          throw new AdminUsageError(
            `a room named "${result.room.name}" already exists (/r/${result.room.slug})`,
          );
        if (result.kind === "rate_limited")
          throw new AdminUsageError("too many rooms created today; try later");
        console.log(`parley: created "${result.room.name}" (/r/${result.room.slug}, id ${result.room.id})`);
        return 0;
      }
      case "archive-room":
      case "restore-room": {
        const archived = command === "archive-room";
        const room = await administration.updateRoom(actor, one(args, `${command} <room>`), { archived });
        console.log(`parley: ${archived ? "archived" : "restored"} "${room.name}" (/r/${room.slug})`);
        return 0;
      }
      case "room-creation": {
        const policy = one(args, "room-creation <everyone|administrators>");
        if (policy !== "everyone" && policy !== "administrators")
          throw new AdminUsageError("usage: parley room-creation <everyone|administrators>");
        await administration.setRoomCreationPolicy(actor, policy);
        console.log(`parley: ${policy === "everyone" ? "everyone" : "only administrators"} may create rooms`);
        return 0;
      }
      case "stats": {
        const counts = await administration.stats(actor);
        if (flags.json) console.log(JSON.stringify(counts));
        else for (const [name, value] of Object.entries(counts)) console.log(`${name}\t${value}`);
        return 0;
      }
      case "audit": {
        const entries = await administration.recentAudit(actor, flags.limit ?? 20);
        for (const entry of entries) console.log(JSON.stringify(auditLogFields(entry)));
        return 0;
      }
      default:
        throw new AdminUsageError(`unknown subcommand "${command}"`);
    }
  } finally {
    await close();
  }
}
