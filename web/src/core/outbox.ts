import { Attachment, ClientId } from "@parley/protocol";
import { z } from "zod";
import type { KeyValueStorage, Random } from "./ports.js";
import { type Problem, StoredProblem } from "./problem.js";

/** A message the server has not yet committed. It lives in storage so a reload cannot lose it. */
export const OutboxEntry = z.object({
  clientId: ClientId,
  roomId: z.string().min(1),
  body: z.string(),
  createdAt: z.number(),
  /** Failed entries wait for the user (retry or discard) instead of being re-sent automatically. */
  state: z.enum(["pending", "failed"]),
  /** Why it failed, as a code the UI words (web/src/i18n/problem-text.ts). */
  error: StoredProblem.optional(),
  /** The server asked to wait (rate_limited): not sent again before this time (ms since the epoch). */
  notBefore: z.number().optional(),
  /** The seq of the message (in the same room) this one answers. */
  replyTo: z.number().int().positive().optional(),
  /** Files uploaded for this message (pending uploads on the server until it is stored). */
  attachments: z.array(Attachment).optional(),
});
export type OutboxEntry = z.infer<typeof OutboxEntry>;

const KEY_PREFIX = "parley.outbox.";

/**
 * 128 random bits as hex: the idempotency key of one message, kept across re-sends and reloads.
 * The browser passes crypto.getRandomValues (crypto.randomUUID exists only in secure contexts,
 * and a self-hosted server is often reached over plain http on a LAN address).
 */
export function newClientId(randomBytes: (count: number) => Uint8Array): string {
  return Array.from(randomBytes(16), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Bytes from a Random, for tests and runtimes without crypto; not for secrets. */
export function bytesFrom(random: Random): (count: number) => Uint8Array {
  return (count) => Uint8Array.from({ length: count }, () => Math.floor(random() * 256));
}

/**
 * The per-user outbox. Every change re-reads storage first, so entries another tab of the
 * same user added in the meantime are kept rather than overwritten.
 */
export class Outbox {
  private entries: readonly OutboxEntry[];
  private storageUsable = true;
  private readonly key: string;
  private readonly unwatch: (() => void) | undefined;

  constructor(
    userId: string,
    private readonly storage: KeyValueStorage,
    private readonly onChange: () => void,
    private readonly warn: (message: string) => void = () => undefined,
  ) {
    this.key = KEY_PREFIX + userId;
    this.entries = this.read() ?? [];
    this.unwatch = storage.watch?.(this.key, this.onStorage);
  }

  list(): readonly OutboxEntry[] {
    return this.entries;
  }

  find(clientId: string): OutboxEntry | undefined {
    return this.entries.find((entry) => entry.clientId === clientId);
  }

  add(entry: OutboxEntry): void {
    this.modify((entries) => [...entries, entry]);
  }

  markFailed(clientIds: ReadonlySet<string>, error: Problem): void {
    this.modify((entries) =>
      entries.map((entry) =>
        clientIds.has(entry.clientId) ? { ...withoutWait(entry), state: "failed", error } : entry,
      ),
    );
  }

  /** Back to pending (the user pressed retry): sent again as soon as the room is joined. */
  markPending(clientId: string): void {
    this.modify((entries) =>
      entries.map((entry) => {
        if (entry.clientId !== clientId) return entry;
        const { error: _staleError, ...rest } = withoutWait(entry);
        return { ...rest, state: "pending" };
      }),
    );
  }

  /** Stays pending, but is not sent again before `notBefore`. */
  delay(clientId: string, notBefore: number): void {
    this.modify((entries) =>
      entries.map((entry) => (entry.clientId === clientId ? { ...entry, notBefore } : entry)),
    );
  }

  /** The server has seen `clientId` used elsewhere: the same message goes out under a new one. */
  renew(clientId: string, fresh: string): void {
    this.modify((entries) =>
      entries.map((entry) => (entry.clientId === clientId ? { ...entry, clientId: fresh } : entry)),
    );
  }

  remove(clientIds: ReadonlySet<string>): void {
    if (!this.entries.some((entry) => clientIds.has(entry.clientId))) return;
    this.modify((entries) => entries.filter((entry) => !clientIds.has(entry.clientId)));
  }

  dispose(): void {
    this.unwatch?.();
  }

  private modify(change: (entries: readonly OutboxEntry[]) => readonly OutboxEntry[]): void {
    const next = change(this.read() ?? this.entries);
    this.entries = next;
    this.write(next);
    this.onChange();
  }

  /** The stored entries, or null when storage cannot be used and memory is the only copy. */
  private read(): readonly OutboxEntry[] | null {
    if (!this.storageUsable) return null;
    let raw: string | null;
    try {
      raw = this.storage.get(this.key);
    } catch {
      this.warn("Storage is unavailable; unsent messages will not survive a reload");
      this.storageUsable = false;
      return null;
    }
    if (raw === null) return [];
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      this.warn("Discarding an unreadable outbox");
      return [];
    }
    if (!Array.isArray(json)) return [];
    // Keep every entry that still parses: one bad entry must not cost the others.
    return json.flatMap((item: unknown) => {
      const parsed = OutboxEntry.safeParse(item);
      return parsed.success ? [parsed.data] : [];
    });
  }

  private write(entries: readonly OutboxEntry[]): void {
    if (!this.storageUsable) return;
    try {
      if (entries.length === 0) this.storage.remove(this.key);
      else this.storage.set(this.key, JSON.stringify(entries));
    } catch {
      // From here on memory holds the only complete copy; reading storage back would lose entries.
      this.warn("Could not save the outbox; unsent messages will not survive a reload");
      this.storageUsable = false;
    }
  }

  private readonly onStorage = (): void => {
    const fresh = this.read();
    if (!fresh) return;
    this.entries = fresh;
    this.onChange();
  };
}

function withoutWait({ notBefore: _wait, ...entry }: OutboxEntry): OutboxEntry {
  return entry;
}
