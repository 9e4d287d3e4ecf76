import { ClientId } from "@parley/protocol";
import { z } from "zod";

/** A message the server has not yet committed. It lives in localStorage so a reload cannot lose it. */
export const OutboxEntry = z.object({
  clientId: ClientId,
  roomId: z.string().min(1),
  body: z.string(),
  createdAt: z.number(),
  /** Failed entries wait for the user (retry or discard) instead of being re-sent automatically. */
  state: z.enum(["pending", "failed"]),
  error: z.string().optional(),
});
export type OutboxEntry = z.infer<typeof OutboxEntry>;

const KEY_PREFIX = "parley.outbox.";

function asPending({ error: _staleError, ...entry }: OutboxEntry): OutboxEntry {
  return { ...entry, state: "pending" };
}

/**
 * 128 random bits as hex. crypto.randomUUID exists only in secure contexts, and a
 * self-hosted server is often reached over plain http on a LAN address.
 */
export function newClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * The per-user outbox. Every change re-reads storage first, so entries another tab of the
 * same user added in the meantime are kept rather than overwritten.
 */
export class Outbox {
  private entries: readonly OutboxEntry[];
  private storageUsable = true;
  private readonly key: string;

  constructor(
    userId: string,
    private readonly onChange: () => void,
  ) {
    this.key = KEY_PREFIX + userId;
    this.entries = this.read() ?? [];
    window.addEventListener("storage", this.onStorage);
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

  markFailed(clientIds: ReadonlySet<string>, error: string): void {
    this.modify((entries) =>
      entries.map((entry) => (clientIds.has(entry.clientId) ? { ...entry, state: "failed", error } : entry)),
    );
  }

  markPending(clientId: string): void {
    this.modify((entries) =>
      entries.map((entry) => (entry.clientId === clientId ? asPending(entry) : entry)),
    );
  }

  remove(clientIds: ReadonlySet<string>): void {
    if (!this.entries.some((entry) => clientIds.has(entry.clientId))) return;
    this.modify((entries) => entries.filter((entry) => !clientIds.has(entry.clientId)));
  }

  dispose(): void {
    window.removeEventListener("storage", this.onStorage);
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
      raw = window.localStorage.getItem(this.key);
    } catch (err) {
      console.warn("localStorage is unavailable; unsent messages will not survive a reload", err);
      this.storageUsable = false;
      return null;
    }
    if (raw === null) return [];
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      console.warn("Discarding an unreadable outbox");
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
      if (entries.length === 0) window.localStorage.removeItem(this.key);
      else window.localStorage.setItem(this.key, JSON.stringify(entries));
    } catch (err) {
      // From here on memory holds the only complete copy; reading storage back would lose entries.
      console.warn("Could not save the outbox; unsent messages will not survive a reload", err);
      this.storageUsable = false;
    }
  }

  private readonly onStorage = (event: StorageEvent): void => {
    if (event.key !== this.key && event.key !== null) return;
    const fresh = this.read();
    if (!fresh) return;
    this.entries = fresh;
    this.onChange();
  };
}
