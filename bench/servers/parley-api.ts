import type { HistoryPage, Member, Room } from "@parley/protocol";
import { Pool } from "undici";
import { mapLimit } from "../system/concurrency.js";

/** The HTTP calls the harness makes to Parley, as the browser makes them (origin header included). */

export interface ParleySession {
  name: string;
  cookie: string;
}

/** Sign-ins in flight at once: enough to keep the server busy without queueing behind each other. */
const SIGN_IN_CONCURRENCY = 8;

async function expectOk(response: Response, what: string): Promise<Response> {
  if (!response.ok) throw new Error(`${what} failed: ${response.status} ${await response.text()}`);
  return response;
}

export async function signIn(baseUrl: string, name: string): Promise<ParleySession> {
  const response = await expectOk(
    await fetch(`${baseUrl}/api/auth/sign-in/anonymous`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: baseUrl },
      body: JSON.stringify({ name }),
    }),
    "sign-in",
  );
  const cookie = response.headers
    .getSetCookie()
    .map((header) => header.split(";")[0])
    .join("; ");
  return { name, cookie };
}

export function signInMany(baseUrl: string, names: readonly string[]): Promise<ParleySession[]> {
  return mapLimit(names, SIGN_IN_CONCURRENCY, (name) => signIn(baseUrl, name));
}

export async function me(baseUrl: string, cookie: string): Promise<Member> {
  const response = await expectOk(await fetch(`${baseUrl}/api/me`, { headers: { cookie } }), "GET /api/me");
  return ((await response.json()) as { user: Member }).user;
}

/** Every room, following the list's pages. */
export async function listRooms(baseUrl: string, cookie: string): Promise<Room[]> {
  const rooms: Room[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? "?limit=200" : `?limit=200&cursor=${encodeURIComponent(cursor)}`;
    const response = await expectOk(
      await fetch(`${baseUrl}/api/rooms${query}`, { headers: { cookie } }),
      "GET /api/rooms",
    );
    const page = (await response.json()) as { rooms: Room[]; nextCursor: string | null };
    rooms.push(...page.rooms);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return rooms;
}

export async function createRoom(baseUrl: string, cookie: string, name: string): Promise<Room> {
  const response = await expectOk(
    await fetch(`${baseUrl}/api/rooms`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: baseUrl, cookie },
      body: JSON.stringify({ name }),
    }),
    "POST /api/rooms",
  );
  return ((await response.json()) as { room: Room }).room;
}

/**
 * One keep-alive connection for timed history pages, through undici's `request`: the global
 * `fetch` builds WHATWG Request, Response and stream objects per call, which on this harness
 * cost the client about as much CPU as the server spent on the page (see docs/benchmarks.md).
 */
export class HistoryReader {
  private readonly pool: Pool;

  constructor(
    baseUrl: string,
    private readonly cookie: string,
  ) {
    this.pool = new Pool(baseUrl, { connections: 1 });
  }

  async page(roomId: string, before: number, limit: number): Promise<HistoryPage> {
    const response = await this.pool.request({
      method: "GET",
      path: `/api/rooms/${encodeURIComponent(roomId)}/messages?before=${before}&limit=${limit}`,
      headers: { cookie: this.cookie },
    });
    const text = await response.body.text();
    if (response.statusCode !== 200) throw new Error(`GET history failed: ${response.statusCode} ${text}`);
    return JSON.parse(text) as HistoryPage;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
