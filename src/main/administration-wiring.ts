import type { Kysely } from "kysely";
import { SessionEnding } from "../auth/session-ender.js";
import type { SessionEndedTopic } from "../auth/sessions.js";
import { Administration } from "../chat/administration.js";
import type { ActivityStore, AuditEntry, FileBytesCleaner } from "../chat/administration-ports.js";
import type { CreateRoomResult } from "../chat/chat-service.js";
import type { Bus } from "../chat/ports.js";
import { AuditRepository } from "../storage/audit-repository.js";
import { PeopleRepository } from "../storage/people-repository.js";
import { RoomRepository } from "../storage/room-repository.js";
import { RoomSettingsRepository } from "../storage/room-settings-repository.js";
import type { Database } from "../storage/schema.js";
import { SessionRepository } from "../storage/session-repository.js";
import { StatsRepository } from "../storage/stats-repository.js";
import { WorkspaceSettingsRepository } from "../storage/workspace-settings-repository.js";

export interface AdministrationWiring {
  db: Kysely<Database>;
  bus: Bus;
  /** Where ended sessions are announced (every node closes their sockets); none: the sweep finds them. */
  sessionEnded: SessionEndedTopic | undefined;
  activity: ActivityStore;
  createRoom(name: string, creatorId: string, kind?: "open" | "private"): Promise<CreateRoomResult>;
  administratorEmails: readonly string[];
  awayAfterMs: number;
  /** Each audit entry as a JSON log line. */
  logAudit(entry: AuditEntry): void;
  /** Removes a deleted room's file bytes (the server's FileService; the CLI deletes no rooms). */
  fileBytes?: FileBytesCleaner;
}

/** The administration service on its SQL adapters: the server and the admin CLI build it the same way. */
export function createAdministration(wiring: AdministrationWiring): Administration {
  const { db } = wiring;
  const rooms = new RoomRepository(db);
  const sessionTable = new SessionRepository(db);
  return new Administration({
    people: new PeopleRepository(db),
    settings: new WorkspaceSettingsRepository(db),
    rooms,
    roomSettings: new RoomSettingsRepository(db, rooms),
    audit: new AuditRepository(db, wiring.logAudit),
    sessions: new SessionEnding((userId) => sessionTable.endAllOf(userId), wiring.sessionEnded),
    activity: wiring.activity,
    stats: new StatsRepository(db),
    bus: wiring.bus,
    clock: Date,
    createRoom: wiring.createRoom,
    administratorEmails: wiring.administratorEmails,
    awayAfterMs: wiring.awayAfterMs,
    ...(wiring.fileBytes && { fileBytes: wiring.fileBytes }),
  });
}

/** How often clients report activity: often enough that an active person never shows as away. */
export function activityReportInterval(awayAfterMs: number): number {
  return Math.max(1000, Math.min(60_000, Math.floor(awayAfterMs / 4)));
}
