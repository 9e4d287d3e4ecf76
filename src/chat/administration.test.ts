import { beforeEach, describe, expect, it } from "vitest";
import { InProcessBus } from "../bus/in-process-bus.js";
import { Administration, AdministrationRefusal } from "./administration.js";
import type { BusEvent } from "./ports.js";
import {
  FakeActivity,
  FakeAudit,
  FakePeople,
  FakeRoomSettings,
  FakeSessions,
  FakeWorkspaceSettings,
} from "./testing/administration-fakes.js";
import { FakeRoomStore } from "./testing/fakes.js";

const AWAY_AFTER_MS = 60_000;
const operator = { kind: "cli", name: "cli:test" } as const;

describe("the administration service", () => {
  let now: number;
  let people: FakePeople;
  let rooms: FakeRoomStore;
  let roomSettings: FakeRoomSettings;
  let activity: FakeActivity;
  let audit: FakeAudit;
  let sessions: FakeSessions;
  let events: BusEvent[];
  let administration: Administration;
  const person = (id: string) => ({ kind: "person", id, name: id }) as const;
  const refusal = async (work: Promise<unknown>) => {
    const error = await work.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    if (!(error instanceof AdministrationRefusal))
      throw new Error(`expected a refusal, got ${String(error)}`);
    return error.code;
  };

  beforeEach(async () => {
    now = 1_000_000;
    people = new FakePeople();
    rooms = new FakeRoomStore();
    roomSettings = new FakeRoomSettings(rooms);
    activity = new FakeActivity();
    audit = new FakeAudit();
    sessions = new FakeSessions();
    const bus = new InProcessBus();
    events = [];
    bus.subscribe((event) => events.push(event));
    administration = new Administration({
      people,
      settings: new FakeWorkspaceSettings(),
      rooms,
      roomSettings,
      audit,
      sessions,
      activity,
      stats: {
        counts: async () => ({
          people: 0,
          deactivated: 0,
          administrators: 0,
          rooms: 0,
          archivedRooms: 0,
          messages: 0,
          sessions: 0,
        }),
      },
      bus,
      clock: { now: () => now },
      createRoom: async (name, creatorId) => {
        const room = {
          id: `r-${name}`,
          slug: name.toLowerCase(),
          name,
          createdAt: now,
          kind: "open" as const,
          createdBy: creatorId,
        };
        await rooms.tryCreate(room, name.toLowerCase());
        roomSettings.creators.set(room.id, creatorId);
        return { kind: "created", room };
      },
      administratorEmails: ["boss@example.com"],
      awayAfterMs: AWAY_AFTER_MS,
    });
    for (const id of ["ada", "bob", "cal"]) people.add({ id });
    await rooms.tryCreate(
      { id: "r-general", slug: "general", name: "general", createdAt: 0, kind: "open", createdBy: null },
      "general",
    );
  });

  it("makes only the first person to sign in an administrator, and audits it once", async () => {
    await administration.signedIn("ada");
    await administration.signedIn("bob");
    await administration.signedIn("ada");
    expect(await administration.roleOf("ada")).toBe("administrator");
    expect(await administration.roleOf("bob")).toBe("member");
    expect(audit.entries.map((entry) => entry.action)).toEqual(["person.grant_administrator"]);
  });

  it("counts a verified ADMIN_EMAILS address, and not an unverified one", async () => {
    people.add({ id: "boss", email: "Boss@Example.com" });
    people.add({ id: "fake-boss", email: "boss@example.com", emailVerified: false });
    expect(await administration.roleOf("boss")).toBe("administrator");
    expect(await administration.roleOf("fake-boss")).toBe("member");
    expect(await refusal(administration.revokeAdministrator(operator, "boss"))).toBe("conflict");
  });

  it("never revokes the last administrator", async () => {
    people.people.delete("boss");
    await administration.signedIn("ada");
    expect(await refusal(administration.revokeAdministrator(operator, "ada"))).toBe("conflict");
    await administration.grantAdministrator(operator, "bob");
    await administration.revokeAdministrator(person("bob"), "ada");
    expect(await administration.roleOf("ada")).toBe("member");
  });

  it("lets the creator rename and archive a room, others not, and only administrators delete it", async () => {
    await administration.signedIn("ada");
    const created = await administration.createRoom(person("bob"), "Plans");
    if (created.kind !== "created") throw new Error("not created");
    const { room } = created;
    expect(await refusal(administration.updateRoom(person("cal"), room.id, { name: "Cal's" }))).toBe(
      "forbidden",
    );
    const renamed = await administration.updateRoom(person("bob"), room.id, {
      name: " Roadmap ",
      topic: "Q3",
    });
    expect(renamed).toMatchObject({ name: "Roadmap", topic: "Q3", slug: "plans" });
    expect(events.at(-1)).toEqual({ kind: "room_updated", room: renamed });
    await administration.updateRoom(person("bob"), room.id, { archived: true });
    expect(await refusal(administration.deleteRoom(person("bob"), room.id))).toBe("forbidden");
    await administration.deleteRoom(person("ada"), room.id);
    expect(events.at(-1)).toEqual({ kind: "room_deleted", roomId: room.id });
    expect(await refusal(administration.deleteRoom(person("ada"), "general"))).toBe("conflict");
    expect(await refusal(administration.updateRoom(person("ada"), "general", { archived: true }))).toBe(
      "conflict",
    );
  });

  it("changes nothing and announces nothing when a room's settings are set to what they are", async () => {
    await administration.signedIn("ada");
    const before = events.length;
    const room = await administration.updateRoom(person("ada"), "general", { name: "general", topic: "" });
    expect(room.name).toBe("general");
    expect(events.length).toBe(before);
  });

  it("refuses room creation to members when only administrators may, and says so", async () => {
    await administration.signedIn("ada");
    await administration.setRoomCreationPolicy(person("ada"), "administrators");
    expect(await refusal(administration.createRoom(person("bob"), "Mine"))).toBe("room_creation_restricted");
    expect((await administration.createRoom(person("ada"), "Ours")).kind).toBe("created");
    expect((await administration.createRoom(operator, "Theirs")).kind).toBe("created");
    expect(await refusal(administration.setRoomCreationPolicy(person("bob"), "everyone"))).toBe("forbidden");
  });

  it("deactivates: sign-in refused and sessions ended; not yourself", async () => {
    await administration.signedIn("ada");
    expect(await refusal(administration.deactivate(person("ada"), "ada"))).toBe("conflict");
    expect(await refusal(administration.deactivate(person("bob"), "cal"))).toBe("forbidden");
    await administration.deactivate(person("ada"), "cal");
    expect(await administration.maySignIn("cal")).toBe(false);
    expect(sessions.ended).toEqual(["cal"]);
    await administration.reactivate(operator, "cal@example.com");
    expect(await administration.maySignIn("cal")).toBe(true);
  });

  it("turns a connected person away after the idle time and offline without a connection", async () => {
    expect((await administration.statuses(["bob"])).get("bob")).toBe("offline");
    activity.connected.add("bob");
    expect((await administration.statuses(["bob"])).get("bob")).toBe("away");
    await administration.reportActive("bob", "Europe/Paris");
    expect((await administration.statuses(["bob"])).get("bob")).toBe("online");
    now += AWAY_AFTER_MS - 1;
    expect((await administration.statuses(["bob"])).get("bob")).toBe("online");
    now += 1;
    expect((await administration.statuses(["bob"])).get("bob")).toBe("away");
    expect(people.timeZones.get("bob")).toBe("Europe/Paris");
    await administration.reportActive("bob", "Mars/Olympus_Mons");
    expect(people.timeZones.get("bob")).toBe("Europe/Paris");
    activity.connected.delete("bob");
    expect((await administration.profile("bob"))?.status).toBe("offline");
  });
});
