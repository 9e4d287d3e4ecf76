import type { Room, RoomCreationPolicy } from "@parley/protocol";
import type {
  ActivityStore,
  AuditEntry,
  AuditLog,
  AuditRecord,
  PeopleStore,
  PersonRecord,
  RoomSettingsStore,
  SessionEnder,
  WorkspaceSettingsStore,
} from "../administration-ports.js";
import type { FakeRoomStore } from "./fakes.js";

/** In-memory stand-ins for the administration ports, for unit tests only. */

export class FakePeople implements PeopleStore {
  readonly people = new Map<string, PersonRecord>();
  private firstClaimed = false;
  readonly timeZones = new Map<string, string>();

  add(person: Partial<PersonRecord> & { id: string }): PersonRecord {
    const record: PersonRecord = {
      name: person.id,
      email: `${person.id}@example.com`,
      emailVerified: true,
      image: null,
      createdAt: this.people.size,
      administratorGrant: false,
      deactivated: false,
      ...person,
    };
    this.people.set(record.id, record);
    return record;
  }

  private patch(id: string, change: Partial<PersonRecord>): void {
    const person = this.people.get(id);
    if (person) this.people.set(id, { ...person, ...change });
  }

  async list() {
    return [...this.people.values()];
  }
  async byId(id: string) {
    return this.people.get(id);
  }
  async find(ref: string) {
    return this.people.get(ref) ?? [...this.people.values()].find((p) => p.email === ref.toLowerCase());
  }
  async hasAdministratorGrant(id: string) {
    return this.people.get(id)?.administratorGrant ?? false;
  }
  async grantAdministrator(id: string) {
    this.patch(id, { administratorGrant: true });
  }
  async revokeAdministrator(id: string) {
    this.patch(id, { administratorGrant: false });
  }
  async claimFirstAdministrator(id: string) {
    if (this.firstClaimed) return false;
    this.firstClaimed = true;
    this.patch(id, { administratorGrant: true });
    return true;
  }
  async isDeactivated(id: string) {
    return this.people.get(id)?.deactivated ?? false;
  }
  async deactivate(id: string) {
    const was = this.people.get(id)?.deactivated === false;
    this.patch(id, { deactivated: true });
    return was;
  }
  async reactivate(id: string) {
    const was = this.people.get(id)?.deactivated === true;
    this.patch(id, { deactivated: false });
    return was;
  }
  async providers() {
    return [];
  }
  async timeZone(id: string) {
    return this.timeZones.get(id) ?? null;
  }
  async setTimeZone(id: string, timeZone: string) {
    this.timeZones.set(id, timeZone);
  }
}

export class FakeWorkspaceSettings implements WorkspaceSettingsStore {
  policy: RoomCreationPolicy = "everyone";
  async roomCreation() {
    return this.policy;
  }
  async setRoomCreation(policy: RoomCreationPolicy) {
    this.policy = policy;
  }
}

/** Room settings over the fake room store; creators are set by the test. */
export class FakeRoomSettings implements RoomSettingsStore {
  readonly creators = new Map<string, string>();
  constructor(private readonly rooms: FakeRoomStore) {}

  private change(roomId: string, change: (room: Room & { nameKey: string }) => Room & { nameKey: string }) {
    const index = this.rooms.rooms.findIndex((room) => room.id === roomId);
    const room = this.rooms.rooms[index];
    if (!room) return undefined;
    const next = change(room);
    this.rooms.rooms[index] = next;
    const { nameKey: _key, ...plain } = next;
    return plain;
  }

  async rename(roomId: string, name: string, nameKey: string) {
    return this.change(roomId, (room) => ({ ...room, name, nameKey }));
  }
  async setTopic(roomId: string, topic: string) {
    return this.change(roomId, ({ topic: _old, ...room }) => (topic ? { ...room, topic } : room));
  }
  async setArchived(roomId: string, archivedAt: number | null) {
    return this.change(roomId, ({ archived: _old, ...room }) =>
      archivedAt === null ? room : { ...room, archived: true },
    );
  }
  async delete(roomId: string) {
    const before = this.rooms.rooms.length;
    this.rooms.rooms.splice(
      this.rooms.rooms.findIndex((room) => room.id === roomId),
      this.rooms.rooms.some((room) => room.id === roomId) ? 1 : 0,
    );
    return this.rooms.rooms.length < before;
  }
  async creatorOf(roomId: string) {
    return this.creators.get(roomId);
  }
}

export class FakeAudit implements AuditLog {
  readonly entries: AuditRecord[] = [];
  async record(entry: AuditEntry) {
    this.entries.push({ ...entry, id: this.entries.length + 1 });
  }
  async recent(limit: number) {
    return this.entries.slice(-limit).reverse();
  }
}

export class FakeSessions implements SessionEnder {
  readonly ended: string[] = [];
  async endSessionsOf(userId: string) {
    this.ended.push(userId);
    return 1;
  }
}

/** Connections and last activity as the test sets them. */
export class FakeActivity implements ActivityStore {
  readonly connected = new Set<string>();
  readonly lastActive = new Map<string, number>();
  async reportActive(userId: string, at: number) {
    this.lastActive.set(userId, at);
  }
  async activity(userIds: string[]) {
    return new Map(
      userIds.map((id) => [id, { connected: this.connected.has(id), lastActiveAt: this.lastActive.get(id) }]),
    );
  }
}
