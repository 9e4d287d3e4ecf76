import type { Room, RoomList } from "@parley/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn } from "../support/chat-client.js";
import { mariadbWithServerDefaultCollation, type TestDatabase, testDatabases } from "../support/databases.js";
import { startServer, type TestServer } from "../support/parley-server.js";

const databases: TestDatabase[] = [
  ...testDatabases(),
  ...[mariadbWithServerDefaultCollation()].filter((d): d is TestDatabase => d !== undefined),
];

describe.each(databases)("rooms over HTTP on $name", (database) => {
  let server: TestServer;
  let drop: () => Promise<void>;
  let cookie: string;

  beforeAll(async () => {
    const created = await database.create();
    drop = created.drop;
    server = await startServer({ databaseUrl: created.url });
    ({ cookie } = await signIn(server.url, "Rooms"));
  });

  afterAll(async () => {
    await server?.close();
    await drop?.();
  });

  function create(name: string) {
    return fetch(`${server.url}/api/rooms`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json", origin: server.url },
      body: JSON.stringify({ name }),
    });
  }

  async function created(name: string): Promise<Room> {
    const response = await create(name);
    expect(response.status, await response.clone().text()).toBe(201);
    return ((await response.json()) as { room: Room }).room;
  }

  function list(query: string) {
    return fetch(`${server.url}/api/rooms${query}`, { headers: { cookie } });
  }

  it("refuses a name already taken (ignoring case, surrounding space and Unicode form) with 409", async () => {
    const room = await created("Design Review");
    for (const again of ["design review", "  DESIGN REVIEW  "]) {
      const response = await create(again);
      expect(response.status).toBe(409);
      const body = (await response.json()) as { error: string; message: string; room: Room };
      expect(body.error).toBe("room_name_taken");
      expect(body.message).toContain("Design Review");
      expect(body.room.id).toBe(room.id);
    }
    await created("Caf\u00e9");
    expect((await create("Cafe\u0301")).status).toBe(409);
  });

  it("gives different names that make the same slug each their own slug, however many", async () => {
    const slugs = new Set<string>();
    for (let i = 1; i <= 55; i++) {
      const room = await created(`Q${"&".repeat(i)}A`);
      expect(room.slug).toMatch(/^q-a/);
      slugs.add(room.slug);
    }
    expect(slugs.size).toBe(55);
  });

  it("keeps slugs readable in Japanese and finds the room by its encoded slug", async () => {
    const room = await created("プロジェクト");
    expect(room.slug).toBe("プロジェクト");
    expect(room.name).toBe("プロジェクト");
    const found = await fetch(`${server.url}/api/rooms/by-slug/${encodeURIComponent(room.slug)}`, {
      headers: { cookie },
    });
    expect(found.status).toBe(200);
    expect(((await found.json()) as { room: Room }).room.id).toBe(room.id);
    const voiced = await created("ガイド ブック");
    expect(voiced.slug).toBe("ガイド-ブック");
  });

  it("pages the room list in name order, each room once, following nextCursor", async () => {
    for (const name of ["pager b", "Pager A", "pager c", "PAGER D", "pager e"]) await created(name);
    const all: Room[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? "?limit=3" : `?limit=3&cursor=${encodeURIComponent(cursor)}`;
      const response = await list(query);
      expect(response.status).toBe(200);
      const page = (await response.json()) as RoomList;
      expect(page.rooms.length).toBeLessThanOrEqual(3);
      all.push(...page.rooms);
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null && pages < 100);
    expect(cursor).toBeNull();
    const ids = all.map((room) => room.id);
    expect(new Set(ids).size).toBe(ids.length);
    const keys = all.map((room) => room.name.toLowerCase());
    expect(keys).toEqual([...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    const pagers = all.filter((room) => room.name.toLowerCase().startsWith("pager"));
    expect(pagers.map((room) => room.name)).toEqual(["Pager A", "pager b", "pager c", "PAGER D", "pager e"]);
    expect(all.some((room) => room.slug === "general")).toBe(true);
    // One page with everything says there is no next one.
    const whole = (await (await list("?limit=200")).json()) as RoomList;
    expect(whole.rooms.map((room) => room.id)).toEqual(ids);
    expect(whole.nextCursor).toBeNull();
  });

  it("refuses a room name with control characters with 400", async () => {
    for (const name of ["nul\u0000name", "bell\u0007", "line\nbreak"]) {
      const response = await create(name);
      expect(response.status, JSON.stringify(name)).toBe(400);
      expect(((await response.json()) as { message: string }).message).toMatch(/control character/);
    }
  });

  it("answers a bad room list query with 400", async () => {
    for (const query of [
      "?limit=0",
      "?limit=201",
      "?limit=lots",
      "?cursor=not-a-cursor",
      `?cursor=${"x".repeat(600)}`,
    ]) {
      const response = await list(query);
      expect(response.status, query).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBe("bad_request");
    }
  });
});
