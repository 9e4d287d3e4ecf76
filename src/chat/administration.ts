import {
  DEFAULT_ROOM_SLUG,
  type PresenceStatus,
  type Profile,
  type Role,
  type Room,
  type RoomCreationPolicy,
} from "@parley/protocol";
import type {
  ActivityStore,
  Actor,
  AuditLog,
  AuditRecord,
  FileBytesCleaner,
  PeopleStore,
  PersonRecord,
  RoomSettingsStore,
  SessionEnder,
  StatsSource,
  WorkspaceCounts,
  WorkspaceSettingsStore,
} from "./administration-ports.js";
import type { CreateRoomResult } from "./chat-service.js";
import { toMember } from "./member.js";
import type { Bus, Clock, ModerationPolicy, RoomStore } from "./ports.js";
import { normalRoomName, roomNameKey } from "./room-name.js";
import { isDependencyUnavailable } from "./unavailable.js";

/** Why an administration action was refused; the edges turn the code into a status and a message. */
export type RefusalCode =
  /** Only an administrator (or, for some room settings, the room's creator) may do this. */
  | "forbidden"
  /** The workspace lets only administrators create rooms. */
  | "room_creation_restricted"
  | "not_found"
  | "room_name_taken"
  /** The action would leave, or acts on, something that must stay (last administrator, default room, yourself). */
  | "conflict";

/** Administrator when granted in the database or through a verified ADMIN_EMAILS address. */
export async function roleOf(
  people: Pick<PeopleStore, "byId">,
  administratorEmails: readonly string[],
  userId: string,
): Promise<Role> {
  const person = await people.byId(userId);
  return person && isAdministrator(person, administratorEmails) ? "administrator" : "member";
}

function isAdministratorByEmail(person: PersonRecord, administratorEmails: readonly string[]): boolean {
  return person.emailVerified && administratorEmails.includes(person.email.toLowerCase());
}

function isAdministrator(person: PersonRecord, administratorEmails: readonly string[]): boolean {
  return person.administratorGrant || isAdministratorByEmail(person, administratorEmails);
}

/** Administrators may delete anyone's message; everyone else only their own (the editor asks). */
export function administratorsModerate(
  people: Pick<PeopleStore, "byId">,
  administratorEmails: readonly string[],
): ModerationPolicy {
  return {
    mayDeleteOthersMessages: async (userId) =>
      (await roleOf(people, administratorEmails, userId)) === "administrator",
  };
}

export class AdministrationRefusal extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
    this.name = "AdministrationRefusal";
  }
}

export interface AdministrationDependencies {
  people: PeopleStore;
  settings: WorkspaceSettingsStore;
  rooms: RoomStore;
  roomSettings: RoomSettingsStore;
  audit: AuditLog;
  sessions: SessionEnder;
  activity: ActivityStore;
  stats: StatsSource;
  bus: Bus;
  clock: Clock;
  /** Creates a room (the chat service's rules: names, slugs, daily limit, announcement). */
  createRoom(name: string, creatorId: string, kind?: "open" | "private"): Promise<CreateRoomResult>;
  /** Verified emails that make their owners administrators (ADMIN_EMAILS), lower-case. */
  administratorEmails: readonly string[];
  /** Without a reported activity for this long, a connected person is away. */
  awayAfterMs: number;
  /** Removes a deleted room's file bytes (absent where no files are served: the admin CLI). */
  fileBytes?: FileBytesCleaner;
}

/** Changes to a room's settings; absent fields stay as they are. */
export interface RoomChanges {
  name?: string;
  topic?: string;
  archived?: boolean;
}

/** A person in `parley people`. */
export interface PersonListing {
  id: string;
  name: string;
  email: string;
  role: Role;
  deactivated: boolean;
  createdAt: number;
}

const CLI_CREATOR_ID = "cli";

/**
 * The administration use cases, one service for the web routes and the admin CLI alike: roles,
 * who may create rooms, room settings, deactivating people, profiles with presence status, and
 * the audit trail every change writes.
 */
export class Administration {
  constructor(private readonly deps: AdministrationDependencies) {}

  // --- roles ---

  /** Administrator when granted in the database or through a verified ADMIN_EMAILS address. */
  roleOf(userId: string): Promise<Role> {
    return roleOf(this.deps.people, this.deps.administratorEmails, userId);
  }

  private isAdministrator(person: PersonRecord): boolean {
    return isAdministrator(person, this.deps.administratorEmails);
  }

  /** Called on every sign-in: the first person ever to sign in becomes an administrator. */
  async signedIn(userId: string): Promise<void> {
    const at = this.deps.clock.now();
    if (await this.deps.people.claimFirstAdministrator(userId, at)) {
      const person = await this.deps.people.byId(userId);
      await this.deps.audit.record({
        at,
        actor: { kind: "person", id: userId, name: person?.name ?? userId },
        action: "person.grant_administrator",
        target: { kind: "person", id: userId },
        detail: { reason: "first person to sign in" },
      });
    }
  }

  /** Whether this person may sign in (a deactivated person may not). */
  async maySignIn(userId: string): Promise<boolean> {
    return !(await this.deps.people.isDeactivated(userId));
  }

  async grantAdministrator(actor: Actor, personRef: string): Promise<PersonRecord> {
    await this.requireAdministrator(actor);
    const person = await this.person(personRef);
    if (!person.administratorGrant)
      await this.deps.people.grantAdministrator(person.id, this.deps.clock.now());
    await this.record(actor, "person.grant_administrator", { kind: "person", id: person.id });
    return { ...person, administratorGrant: true };
  }

  async revokeAdministrator(actor: Actor, personRef: string): Promise<PersonRecord> {
    await this.requireAdministrator(actor);
    const person = await this.person(personRef);
    if (isAdministratorByEmail(person, this.deps.administratorEmails)) {
      throw new AdministrationRefusal(
        "conflict",
        `${person.name} is an administrator through ADMIN_EMAILS; remove ${person.email} there to revoke it.`,
      );
    }
    if (person.administratorGrant) {
      const administrators = (await this.deps.people.list()).filter(
        (other) => other.id !== person.id && !other.deactivated && this.isAdministrator(other),
      );
      if (administrators.length === 0) {
        throw new AdministrationRefusal(
          "conflict",
          `${person.name} is the last administrator; grant someone else administrator first.`,
        );
      }
      await this.deps.people.revokeAdministrator(person.id);
    }
    await this.record(actor, "person.revoke_administrator", { kind: "person", id: person.id });
    return { ...person, administratorGrant: false };
  }

  // --- people ---

  async listPeople(actor: Actor): Promise<PersonListing[]> {
    await this.requireAdministrator(actor);
    return (await this.deps.people.list()).map((person) => ({
      id: person.id,
      name: person.name,
      email: person.email,
      role: this.isAdministrator(person) ? "administrator" : "member",
      deactivated: person.deactivated,
      createdAt: person.createdAt,
    }));
  }

  /**
   * Deactivates a person: sign-in refused from now on, every session ended (their sockets on
   * every node close with the session-ended code), their messages kept.
   */
  async deactivate(
    actor: Actor,
    personRef: string,
  ): Promise<{ person: PersonRecord; sessionsEnded: number }> {
    await this.requireAdministrator(actor);
    const person = await this.person(personRef);
    if (actor.kind === "person" && actor.id === person.id) {
      throw new AdministrationRefusal("conflict", "You cannot deactivate yourself.");
    }
    await this.deps.people.deactivate(person.id, this.deps.clock.now());
    // Also when already deactivated: a session made in a race with the first call ends too.
    const sessionsEnded = await this.deps.sessions.endSessionsOf(person.id);
    await this.record(actor, "person.deactivate", { kind: "person", id: person.id }, { sessionsEnded });
    return { person: { ...person, deactivated: true }, sessionsEnded };
  }

  async reactivate(actor: Actor, personRef: string): Promise<PersonRecord> {
    await this.requireAdministrator(actor);
    const person = await this.person(personRef);
    await this.deps.people.reactivate(person.id);
    await this.record(actor, "person.reactivate", { kind: "person", id: person.id });
    return { ...person, deactivated: false };
  }

  /** Signs a person out everywhere without deactivating them. */
  async revokeSessions(
    actor: Actor,
    personRef: string,
  ): Promise<{ person: PersonRecord; sessionsEnded: number }> {
    await this.requireAdministrator(actor);
    const person = await this.person(personRef);
    const sessionsEnded = await this.deps.sessions.endSessionsOf(person.id);
    await this.record(actor, "person.revoke_sessions", { kind: "person", id: person.id }, { sessionsEnded });
    return { person, sessionsEnded };
  }

  /** The profile card: anyone signed in may see anyone's. */
  async profile(personId: string): Promise<Profile | undefined> {
    const person = await this.deps.people.byId(personId);
    if (!person) return undefined;
    const [providers, timeZone, statuses] = await Promise.all([
      this.deps.people.providers(person.id),
      this.deps.people.timeZone(person.id),
      this.statuses([person.id]),
    ]);
    const member = toMember(person);
    return {
      id: person.id,
      name: member.name,
      image: member.image,
      role: this.isAdministrator(person) ? "administrator" : "member",
      status: person.deactivated ? "offline" : (statuses.get(person.id) ?? "offline"),
      providers,
      timeZone,
      deactivated: person.deactivated,
    };
  }

  /** Presence status across rooms of each person. */
  async statuses(userIds: string[]): Promise<Map<string, PresenceStatus>> {
    const activity = await this.deps.activity.activity(userIds);
    const now = this.deps.clock.now();
    const statuses = new Map<string, PresenceStatus>();
    for (const userId of userIds) {
      const seen = activity.get(userId);
      if (!seen?.connected) statuses.set(userId, "offline");
      else if (seen.lastActiveAt !== undefined && now - seen.lastActiveAt < this.deps.awayAfterMs)
        statuses.set(userId, "online");
      else statuses.set(userId, "away");
    }
    return statuses;
  }

  /** A tab of this person reported activity (and perhaps its time zone). */
  async reportActive(userId: string, timeZone: string | undefined): Promise<void> {
    const at = this.deps.clock.now();
    await this.deps.activity.reportActive(userId, at);
    if (timeZone && isTimeZone(timeZone) && (await this.deps.people.timeZone(userId)) !== timeZone) {
      await this.deps.people.setTimeZone(userId, timeZone, at);
    }
  }

  // --- workspace settings ---

  roomCreationPolicy(): Promise<RoomCreationPolicy> {
    return this.deps.settings.roomCreation();
  }

  async setRoomCreationPolicy(actor: Actor, policy: RoomCreationPolicy): Promise<void> {
    await this.requireAdministrator(actor);
    await this.deps.settings.setRoomCreation(policy);
    await this.record(
      actor,
      "workspace.room_creation",
      { kind: "workspace", id: "room_creation" },
      { policy },
    );
  }

  // --- rooms ---

  /** Creates a room if the workspace lets this actor (the CLI always may), and records it. */
  async createRoom(actor: Actor, name: string, kind: "open" | "private" = "open"): Promise<CreateRoomResult> {
    if (actor.kind === "person" && (await this.roomCreationPolicy()) === "administrators") {
      if ((await this.roleOf(actor.id)) !== "administrator") {
        throw new AdministrationRefusal(
          "room_creation_restricted",
          "Only administrators may create rooms in this workspace; ask one to create it for you.",
        );
      }
    }
    const result = await this.deps.createRoom(
      name,
      actor.kind === "person" ? actor.id : CLI_CREATOR_ID,
      kind,
    );
    if (result.kind === "created") {
      await this.record(
        actor,
        "room.create",
        { kind: "room", id: result.room.id },
        { name: result.room.name },
      );
    }
    return result;
  }

  /** The room with this id or slug. */
  async room(roomRef: string): Promise<Room> {
    const room = (await this.deps.rooms.byId(roomRef)) ?? (await this.deps.rooms.bySlug(roomRef));
    if (!room) throw new AdministrationRefusal("not_found", "There is no such room.");
    return room;
  }

  /** Whether the actor may change this room's name, topic and archived state. */
  async mayManageRoom(actor: Actor, roomId: string): Promise<boolean> {
    if (await this.isAdministratorActor(actor)) return true;
    return actor.kind === "person" && (await this.deps.roomSettings.creatorOf(roomId)) === actor.id;
  }

  /**
   * Renames, sets the topic of, archives or restores a room: administrators and the room's
   * creator. Every member sees the change live (a `room_updated` frame on every node).
   */
  async updateRoom(actor: Actor, roomRef: string, changes: RoomChanges): Promise<Room> {
    let room = await this.room(roomRef);
    if (!(await this.mayManageRoom(actor, room.id))) {
      throw new AdministrationRefusal(
        "forbidden",
        "Only an administrator or the room's creator may change its settings.",
      );
    }
    if (changes.archived === true && room.slug === DEFAULT_ROOM_SLUG) {
      throw new AdministrationRefusal(
        "conflict",
        "The default room cannot be archived: everyone starts there.",
      );
    }
    const before = room;
    if (changes.name !== undefined && normalRoomName(changes.name) !== room.name) {
      const name = normalRoomName(changes.name);
      const nameKey = roomNameKey(name);
      const existing = await this.deps.rooms.byNameKey(nameKey);
      if (existing && existing.id !== room.id) {
        throw new AdministrationRefusal("room_name_taken", `A room named "${existing.name}" already exists.`);
      }
      room = (await this.deps.roomSettings.rename(room.id, name, nameKey)) ?? this.gone();
      await this.record(actor, "room.rename", { kind: "room", id: room.id }, { from: before.name, to: name });
    }
    if (changes.topic !== undefined && changes.topic.trim() !== (room.topic ?? "")) {
      room = (await this.deps.roomSettings.setTopic(room.id, changes.topic.trim())) ?? this.gone();
      await this.record(actor, "room.topic", { kind: "room", id: room.id }, { topic: room.topic ?? "" });
    }
    if (changes.archived !== undefined && changes.archived !== Boolean(room.archived)) {
      const at = changes.archived ? this.deps.clock.now() : null;
      room = (await this.deps.roomSettings.setArchived(room.id, at)) ?? this.gone();
      await this.record(actor, changes.archived ? "room.archive" : "room.restore", {
        kind: "room",
        id: room.id,
      });
    }
    if (room !== before) await this.announce({ kind: "room_updated", room });
    return room;
  }

  /** Deletes a room with its messages and files: administrators only. */
  async deleteRoom(actor: Actor, roomRef: string): Promise<Room> {
    await this.requireAdministrator(actor);
    const room = await this.room(roomRef);
    if (room.slug === DEFAULT_ROOM_SLUG) {
      throw new AdministrationRefusal(
        "conflict",
        "The default room cannot be deleted: everyone starts there.",
      );
    }
    if (!(await this.deps.roomSettings.delete(room.id))) this.gone();
    // Committed: the files are unreachable now; their bytes go in the background.
    this.deps.fileBytes?.scheduleByteDeletion();
    await this.record(actor, "room.delete", { kind: "room", id: room.id }, { name: room.name });
    await this.announce({ kind: "room_deleted", roomId: room.id });
    return room;
  }

  // --- reading the trail and the figures ---

  async stats(actor: Actor): Promise<WorkspaceCounts> {
    await this.requireAdministrator(actor);
    return this.deps.stats.counts();
  }

  async recentAudit(actor: Actor, limit: number): Promise<AuditRecord[]> {
    await this.requireAdministrator(actor);
    return this.deps.audit.recent(limit);
  }

  // --- helpers ---

  private async isAdministratorActor(actor: Actor): Promise<boolean> {
    // Whoever runs the CLI holds the database's credentials: they are the installation's operator.
    if (actor.kind === "cli") return true;
    return (await this.roleOf(actor.id)) === "administrator";
  }

  private async requireAdministrator(actor: Actor): Promise<void> {
    if (!(await this.isAdministratorActor(actor))) {
      throw new AdministrationRefusal("forbidden", "Only an administrator may do this.");
    }
  }

  private async person(ref: string): Promise<PersonRecord> {
    const person = await this.deps.people.find(ref);
    if (!person) throw new AdministrationRefusal("not_found", `There is no person "${ref}".`);
    return person;
  }

  private gone(): never {
    throw new AdministrationRefusal("not_found", "The room was deleted meanwhile.");
  }

  private record(
    actor: Actor,
    action: string,
    target: { kind: "room" | "person" | "workspace"; id: string },
    detail?: Record<string, string | number | boolean | null>,
  ): Promise<void> {
    return this.deps.audit.record({
      at: this.deps.clock.now(),
      actor,
      action,
      target,
      ...(detail && { detail }),
    });
  }

  /** Tells every node; a change lost to a bus outage shows on the next load (it is committed). */
  private async announce(
    event: { kind: "room_updated"; room: Room } | { kind: "room_deleted"; roomId: string },
  ): Promise<void> {
    await this.deps.bus.publish(event).catch((error: unknown) => {
      if (!isDependencyUnavailable(error)) throw error;
    });
  }
}

/** True for a time zone this runtime knows (a browser's report is checked before it is stored). */
function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
