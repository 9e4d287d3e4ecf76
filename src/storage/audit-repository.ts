import type { Kysely } from "kysely";
import type { Actor, AuditEntry, AuditLog, AuditRecord } from "../chat/administration-ports.js";
import type { Database } from "./schema.js";

/** One audit entry as a log line sees it: flat, JSON, no secrets or message bodies. */
export function auditLogFields(entry: AuditEntry): Record<string, unknown> {
  return {
    audit: true,
    at: new Date(entry.at).toISOString(),
    actorKind: entry.actor.kind,
    ...(entry.actor.kind === "person" && { actorId: entry.actor.id }),
    actorName: entry.actor.name,
    action: entry.action,
    ...(entry.target && { targetKind: entry.target.kind, targetId: entry.target.id }),
    ...(entry.detail && { detail: entry.detail }),
  };
}

/** The audit trail in SQL; every entry is also handed to `log` (a JSON log line). */
export class AuditRepository implements AuditLog {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly log: (entry: AuditEntry) => void,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.db
      .insertInto("audit")
      .values({
        at: entry.at,
        actor_kind: entry.actor.kind,
        actor_id: entry.actor.kind === "person" ? entry.actor.id : null,
        actor_name: entry.actor.name.slice(0, 255),
        action: entry.action,
        target_kind: entry.target?.kind ?? null,
        target_id: entry.target?.id ?? null,
        detail: entry.detail ? JSON.stringify(entry.detail) : null,
      })
      .execute();
    this.log(entry);
  }

  async recent(limit: number): Promise<AuditRecord[]> {
    const rows = await this.db.selectFrom("audit").selectAll().orderBy("id", "desc").limit(limit).execute();
    return rows.map((row) => {
      const actor: Actor =
        row.actor_kind === "person" && row.actor_id
          ? { kind: "person", id: row.actor_id, name: row.actor_name }
          : { kind: "cli", name: row.actor_name };
      const target =
        row.target_kind && row.target_id
          ? { kind: row.target_kind as "room" | "person" | "workspace", id: row.target_id }
          : undefined;
      return {
        id: Number(row.id),
        at: Number(row.at),
        actor,
        action: row.action,
        ...(target && { target }),
        ...(row.detail && { detail: JSON.parse(row.detail) as AuditEntry["detail"] }),
      };
    });
  }
}
