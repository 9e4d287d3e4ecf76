import { randomUUID } from "node:crypto";
import { cleanDisplayName, MAX_ROOM_NAME_LENGTH } from "@parley/protocol";
import { type Insertable, type Kysely, sql } from "kysely";
import type { z } from "zod";
import { normalRoomName, roomNameKey } from "../chat/room-name.js";
import { slugCandidate, slugify } from "../chat/slug.js";
import type { DatabaseKind } from "../storage/database.js";
import type { Database, MessageTable } from "../storage/schema.js";
import { SearchIndexer } from "../storage/search-indexer.js";
import { isUniqueViolation } from "../storage/unique-violation.js";
import type { SlackNames } from "./mrkdwn.js";
import type { SlackExport } from "./slack-export.js";
import {
  compareTs,
  SlackChannel,
  SlackConversation,
  SlackMessage,
  SlackUser,
  tsMillis,
} from "./slack-files.js";
import { convertSlackMessage, type ThreadParents } from "./slack-message.js";

export interface SlackImportOptions {
  /** Messages written per transaction (default 1000). */
  batchSize?: number;
  /** Told one line per channel as it is done. */
  progress?: (line: string) => void;
  clock?: () => number;
}

export interface SlackImportReport {
  people: { created: number; matchedByEmail: number; alreadyImported: number };
  rooms: { created: number; adopted: number; alreadyImported: number; renamed: string[] };
  messages: {
    imported: number;
    alreadyImported: number;
    /** Channel joins, leaves, topic changes and other events that are not conversation. */
    skippedEvents: number;
    /** Entries that are not a message Slack documents (no ts, …), or with nothing to show. */
    unreadable: number;
  };
  /** Private channels, group and direct messages: not imported (see docs/deploy.md). */
  privateConversationsSkipped: number;
  /** Wall time of writing the messages, and messages written per second in it. */
  messageSeconds: number;
  messagesPerSecond: number;
  /** Writing the imported messages' search postings, after the import (decision 0049). */
  searchIndexSeconds: number;
}

const USER_LINK = "slack:user";
const CHANNEL_LINK = "slack:channel";
/** Placeholder addresses of people Slack gave no email: `.invalid` can never be anyone's mailbox. */
const NO_EMAIL_DOMAIN = "slack-import.invalid";
const INSERT_CHUNK = 500;
const LOOKUP_CHUNK = 500;
/** A progress line for a long channel about this often (messages). */
const PROGRESS_EVERY = 50_000;

interface PendingMessage {
  authorId: string;
  clientId: string;
  body: string;
  createdAt: number;
}

/**
 * Imports a Slack export into the database: people (matched by email, decision 0046), public
 * channels as rooms, and their messages in time order with room sequence numbers, written in
 * batches. Each message's client id is made of its channel and Slack ts, so a second import
 * (or one resumed after a failure) skips what is stored and adds only what is not.
 */
export class SlackImport {
  private readonly report: SlackImportReport = {
    people: { created: 0, matchedByEmail: 0, alreadyImported: 0 },
    rooms: { created: 0, adopted: 0, alreadyImported: 0, renamed: [] },
    messages: { imported: 0, alreadyImported: 0, skippedEvents: 0, unreadable: 0 },
    privateConversationsSkipped: 0,
    messageSeconds: 0,
    messagesPerSecond: 0,
    searchIndexSeconds: 0,
  };
  /** Slack user id → person id here. */
  private readonly people = new Map<string, string>();
  /** Slack user id → the name shown for @mentions. */
  private readonly userNames = new Map<string, string>();
  private readonly channelNames = new Map<string, string>();
  private readonly names: SlackNames = {
    user: (id) => this.userNames.get(id),
    channel: (id) => this.channelNames.get(id),
  };
  private team = "";
  private daysByFolder: Map<string, string[]> | undefined;
  private readonly batchSize: number;
  private readonly progress: (line: string) => void;
  private readonly clock: () => number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly kind: DatabaseKind,
    private readonly source: SlackExport,
    options: SlackImportOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 1000;
    this.progress = options.progress ?? (() => undefined);
    this.clock = options.clock ?? Date.now;
  }

  async run(): Promise<SlackImportReport> {
    const users = await this.list("users.json", SlackUser);
    const channels = await this.list("channels.json", SlackChannel);
    for (const file of ["groups.json", "mpims.json", "dms.json"]) {
      this.report.privateConversationsSkipped += (await this.list(file, SlackConversation)).length;
    }
    this.team = users.find((user) => user.team_id)?.team_id ?? "";
    for (const user of users) this.userNames.set(user.id, displayName(user));
    for (const channel of channels) this.channelNames.set(channel.id, channel.name);
    for (const user of users) await this.person(user);

    const started = performance.now();
    for (const channel of channels) await this.importChannel(channel);
    this.report.messageSeconds = (performance.now() - started) / 1000;
    this.report.messagesPerSecond =
      this.report.messageSeconds > 0
        ? Math.round(this.report.messages.imported / this.report.messageSeconds)
        : 0;
    // Imported rooms are behind the search index's mark: indexed now, so they are found at once
    // (a running server's sweep would find them within its interval anyway).
    const indexing = performance.now();
    await new SearchIndexer(this.db, this.kind).sweep();
    this.report.searchIndexSeconds = (performance.now() - indexing) / 1000;
    return this.report;
  }

  /** A top-level list file, validated; absent files are empty lists (groups.json often is). */
  private async list<T extends z.ZodType>(path: string, schema: T): Promise<Array<z.infer<T>>> {
    if (!this.source.paths.includes(path)) return [];
    const parsed = schema.array().safeParse(parseJson(await this.source.read(path), path));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new SlackImportError(
        `${path} is not in Slack's export format: ${issue?.path.join(".") ?? ""} ${issue?.message ?? ""}`.trim(),
      );
    }
    return parsed.data;
  }

  private async linked(source: string, externalId: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom("import_links")
      .select("local_id")
      .where("source", "=", source)
      .where("external_id", "=", externalId)
      .executeTakeFirst();
    return row?.local_id;
  }

  private async link(source: string, externalId: string, localId: string): Promise<void> {
    await this.db
      .insertInto("import_links")
      .values({ source, external_id: externalId, local_id: localId, created_at: this.clock() })
      .execute();
  }

  /** The person here for a Slack user: linked before, found by email, or made now. */
  private async person(user: SlackUser): Promise<string> {
    const known = this.people.get(user.id);
    if (known) return known;
    const externalId = `${user.team_id ?? this.team}/${user.id}`;
    const linked = await this.linked(USER_LINK, externalId);
    const userExists =
      linked !== undefined &&
      (await this.db.selectFrom("user").select("id").where("id", "=", linked).executeTakeFirst()) !==
        undefined;
    if (linked && userExists) {
      this.report.people.alreadyImported++;
      this.people.set(user.id, linked);
      return linked;
    }
    const email = user.profile?.email?.trim().toLowerCase() || undefined;
    const existing =
      email && (await this.db.selectFrom("user").select("id").where("email", "=", email).executeTakeFirst());
    let id: string;
    if (existing) {
      id = existing.id;
      this.report.people.matchedByEmail++;
    } else {
      id = randomUUID();
      const now = this.clock();
      await this.db
        .insertInto("user")
        .values({
          id,
          name: displayName(user),
          email:
            email ??
            `${encodeURIComponent(user.id).toLowerCase()}.${this.team.toLowerCase() || "slack"}@${NO_EMAIL_DOMAIN}`,
          // Slack verified the address: the first sign-in with a provider that vouches for the
          // same email is this person (better-auth links only to a verified local email).
          emailVerified: this.flag(email !== undefined),
          image: null,
          isAnonymous: this.flag(false),
          createdAt: this.date(now),
          updatedAt: this.date(now),
        })
        .execute();
      this.report.people.created++;
    }
    if (linked) {
      await this.db
        .updateTable("import_links")
        .set({ local_id: id })
        .where("source", "=", USER_LINK)
        .where("external_id", "=", externalId)
        .execute();
    } else {
      await this.link(USER_LINK, externalId, id);
    }
    this.people.set(user.id, id);
    return id;
  }

  /** The author of a message: its Slack user (known, or met here for the first time), or its bot. */
  private async author(message: SlackMessage): Promise<string> {
    if (message.user) {
      const known = this.people.get(message.user);
      if (known) return known;
      const profile = message.user_profile;
      const name = profile?.display_name || profile?.real_name || profile?.name;
      if (name) this.userNames.set(message.user, name);
      return this.person({ id: message.user, ...(name && { name }) });
    }
    const bot = message.bot_id ?? message.username ?? "bot";
    return this.person({ id: `bot-${bot}`, name: message.username ?? "Slack bot", is_bot: true });
  }

  /** The room of a public channel: linked before, an empty room of the same name, or a new one. */
  private async room(channel: SlackChannel): Promise<string> {
    const linked = await this.linked(CHANNEL_LINK, channel.id);
    if (linked) {
      const row = await this.db.selectFrom("rooms").select("id").where("id", "=", linked).executeTakeFirst();
      if (row) {
        this.report.rooms.alreadyImported++;
        return linked;
      }
    }
    const baseName = normalRoomName(channel.name).slice(0, MAX_ROOM_NAME_LENGTH);
    const sameName = await this.db
      .selectFrom("rooms")
      .select(["id", "last_seq"])
      .where("name_key", "=", roomNameKey(baseName))
      .executeTakeFirst();
    if (sameName && Number(sameName.last_seq) === 0) {
      // A room nobody has written in yet (the default #general of a new install) takes the history.
      await this.relink(linked, channel.id, sameName.id);
      this.report.rooms.adopted++;
      return sameName.id;
    }
    const name = sameName ? await this.freeName(baseName) : baseName;
    if (sameName) this.report.rooms.renamed.push(`${channel.name} → ${name}`);
    const id = randomUUID();
    const createdAt = channel.created ? channel.created * 1000 : this.clock();
    const base = slugify(name);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.db
          .insertInto("rooms")
          .values({
            id,
            slug: slugCandidate(base, attempt),
            name,
            name_key: roomNameKey(name),
            created_at: createdAt,
          })
          .execute();
        break;
      } catch (error) {
        if (!isUniqueViolation(error) || attempt > 20) throw error;
      }
    }
    await this.relink(linked, channel.id, id);
    this.report.rooms.created++;
    return id;
  }

  private async relink(previous: string | undefined, channelId: string, roomId: string): Promise<void> {
    if (previous === undefined) return this.link(CHANNEL_LINK, channelId, roomId);
    await this.db
      .updateTable("import_links")
      .set({ local_id: roomId })
      .where("source", "=", CHANNEL_LINK)
      .where("external_id", "=", channelId)
      .execute();
  }

  /** "name (Slack)", "name (Slack 2)" …: a channel whose name a room with history already has. */
  private async freeName(name: string): Promise<string> {
    for (let n = 1; ; n++) {
      const suffix = n === 1 ? " (Slack)" : ` (Slack ${n})`;
      const candidate = `${name.slice(0, MAX_ROOM_NAME_LENGTH - suffix.length)}${suffix}`;
      const taken = await this.db
        .selectFrom("rooms")
        .select("id")
        .where("name_key", "=", roomNameKey(candidate))
        .executeTakeFirst();
      if (!taken) return candidate;
    }
  }

  private async importChannel(channel: SlackChannel): Promise<void> {
    const roomId = await this.room(channel);
    const days = [...(this.dayFiles().get(channel.name) ?? [])].sort();
    const threads: ThreadParents = new Map();
    let batch: PendingMessage[] = [];
    const before = this.report.messages.imported;
    for (const day of days) {
      const entries = parseJson(await this.source.read(day), day);
      if (!Array.isArray(entries)) throw new SlackImportError(`${day} is not a list of messages`);
      const messages: SlackMessage[] = [];
      for (const entry of entries) {
        const parsed = SlackMessage.safeParse(entry);
        if (parsed.success) messages.push(parsed.data);
        else this.report.messages.unreadable++;
      }
      messages.sort((a, b) => compareTs(a.ts, b.ts));
      for (const message of messages) {
        const pending = await this.convert(channel, message, threads);
        batch.push(...pending);
        if (batch.length >= this.batchSize) {
          await this.write(roomId, batch);
          batch = [];
          const done = this.report.messages.imported - before;
          if (done > 0 && done % PROGRESS_EVERY < this.batchSize) {
            this.progress(`#${channel.name}: ${done} messages so far (${day})`);
          }
        }
      }
    }
    if (batch.length > 0) await this.write(roomId, batch);
    await this.addMembers(roomId, channel);
    this.progress(
      `#${channel.name}: ${this.report.messages.imported - before} messages imported from ${days.length} days`,
    );
  }

  /** The day files of every folder (a channel's name), indexed once: an export of years has many. */
  private dayFiles(): Map<string, string[]> {
    if (!this.daysByFolder) {
      this.daysByFolder = new Map();
      for (const path of this.source.paths) {
        const match = /^([^/]+)\/\d{4}-\d{2}-\d{2}\.json$/.exec(path);
        if (!match?.[1]) continue;
        const days = this.daysByFolder.get(match[1]);
        if (days) days.push(path);
        else this.daysByFolder.set(match[1], [path]);
      }
    }
    return this.daysByFolder;
  }

  /** One Slack message as the message(s) stored here: none for an event, several past the length limit. */
  private async convert(
    channel: SlackChannel,
    message: SlackMessage,
    threads: ThreadParents,
  ): Promise<PendingMessage[]> {
    const converted = convertSlackMessage(message, this.names, threads);
    if (converted.kind === "event") {
      this.report.messages.skippedEvents++;
      return [];
    }
    if (converted.kind === "empty") {
      this.report.messages.unreadable++;
      return [];
    }
    const authorId = await this.author(message);
    const clientId = `slack-${channel.id}-${message.ts.replace(".", "-")}`;
    const createdAt = tsMillis(message.ts);
    return converted.bodies.map((body, index) => ({
      authorId,
      clientId: index === 0 ? clientId : `${clientId}-${index + 1}`,
      body,
      createdAt,
    }));
  }

  /**
   * One transaction: what is stored already (an earlier import) is left out, the room's counter
   * moves once for the rest (under its row lock, so a server running beside the import keeps
   * its numbers gap-free too), and the rows go in as multi-row INSERTs.
   */
  private async write(roomId: string, batch: PendingMessage[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      // Per author, so every database answers from the (author_id, client_id) unique index
      // (two IN lists made PostgreSQL scan the whole table once the history grew).
      const stored = new Set<string>();
      const byAuthor = new Map<string, string[]>();
      for (const m of batch) {
        const clientIds = byAuthor.get(m.authorId);
        if (clientIds) clientIds.push(m.clientId);
        else byAuthor.set(m.authorId, [m.clientId]);
      }
      for (const [authorId, clientIds] of byAuthor) {
        for (let i = 0; i < clientIds.length; i += LOOKUP_CHUNK) {
          const rows = await trx
            .selectFrom("messages")
            .select("client_id")
            .where("author_id", "=", authorId)
            .where("client_id", "in", clientIds.slice(i, i + LOOKUP_CHUNK))
            .execute();
          for (const row of rows) stored.add(`${authorId}\u0000${row.client_id}`);
        }
      }
      const fresh = batch.filter((m) => !stored.has(`${m.authorId}\u0000${m.clientId}`));
      this.report.messages.alreadyImported += batch.length - fresh.length;
      if (fresh.length === 0) return;
      await trx
        .updateTable("rooms")
        .set({ last_seq: sql`last_seq + ${fresh.length}` })
        .where("id", "=", roomId)
        .execute();
      const room = await trx
        .selectFrom("rooms")
        .select("last_seq")
        .where("id", "=", roomId)
        .executeTakeFirstOrThrow();
      let seq = Number(room.last_seq) - fresh.length;
      const rows: Insertable<MessageTable>[] = fresh.map((m) => ({
        room_id: roomId,
        seq: ++seq,
        author_id: m.authorId,
        client_id: m.clientId,
        body: m.body,
        created_at: m.createdAt,
      }));
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        await trx
          .insertInto("messages")
          .values(rows.slice(i, i + INSERT_CHUNK))
          .execute();
      }
      this.report.messages.imported += fresh.length;
    });
  }

  /** The channel's members become the room's, having read everything imported. */
  private async addMembers(roomId: string, channel: SlackChannel): Promise<void> {
    const members = [
      ...new Set((channel.members ?? []).map((id) => this.people.get(id)).filter((id) => id !== undefined)),
    ];
    if (members.length === 0) return;
    const room = await this.db
      .selectFrom("rooms")
      .select("last_seq")
      .where("id", "=", roomId)
      .executeTakeFirstOrThrow();
    const already = new Set<string>();
    for (let i = 0; i < members.length; i += LOOKUP_CHUNK) {
      const rows = await this.db
        .selectFrom("memberships")
        .select("user_id")
        .where("room_id", "=", roomId)
        .where("user_id", "in", members.slice(i, i + LOOKUP_CHUNK))
        .execute();
      for (const row of rows) already.add(row.user_id);
    }
    const now = this.clock();
    const rows = members
      .filter((id) => !already.has(id))
      .map((userId) => ({
        user_id: userId,
        room_id: roomId,
        last_read_seq: Number(room.last_seq),
        joined_at: now,
      }));
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await this.db
        .insertInto("memberships")
        .values(rows.slice(i, i + INSERT_CHUNK))
        .execute();
    }
  }

  /** better-auth's booleans: integers on SQLite. */
  private flag(value: boolean): boolean | number {
    return this.kind === "sqlite" ? Number(value) : value;
  }

  /** better-auth's dates: ISO text on SQLite, timestamps elsewhere. */
  private date(millis: number): Date | string {
    return this.kind === "sqlite" ? new Date(millis).toISOString() : new Date(millis);
  }
}

/** The export is not what Slack writes. */
export class SlackImportError extends Error {}

function parseJson(data: Buffer, path: string): unknown {
  try {
    return JSON.parse(data.toString("utf8"));
  } catch (error) {
    throw new SlackImportError(
      `${path} is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function displayName(user: SlackUser): string {
  const profile = user.profile;
  return cleanDisplayName(
    profile?.display_name || profile?.real_name || user.real_name || user.name,
    `Slack user ${user.id}`,
  );
}
