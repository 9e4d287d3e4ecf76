#!/usr/bin/env node
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Kysely } from "kysely";
import { mysqlCommands, postgresCommands } from "../backup/dump-commands.js";
import { exportRoom } from "../backup/room-export.js";
import { BackupError, backupSqlite, restoreSqlite } from "../backup/sqlite-backup.js";
import { AdministrationRefusal } from "../chat/administration.js";
import { openSlackExport, SlackExportError } from "../import/slack-export.js";
import { SlackImport, SlackImportError, type SlackImportReport } from "../import/slack-import.js";
import { databaseKind, openDatabase, sqlitePath } from "../storage/database.js";
import { migrateToLatest } from "../storage/migrate.js";
import { ADMIN_COMMANDS, ADMIN_HELP, AdminUsageError, runAdminCommand } from "./admin-commands.js";
import { ConfigError, loadConfig } from "./config.js";

const HELP = `Usage: parley <subcommand> [arguments]

Reads DATABASE_URL and DATA_DIR like the server (docs/configuration.md).

Subcommands:
  backup <file>                  SQLite: a consistent copy of the live database, then an
                                 integrity check of the copy. MariaDB/PostgreSQL: prints the
                                 mariadb-dump / pg_dump command to use instead (exit status 2).
  restore <file> [--force]       SQLite: puts a backup in place of the database and applies
                                 pending migrations. Refuses while the server has the database
                                 open, unless --force.
  export-room <slug> <file.json> One room, its messages in order, authors and memberships,
                                 as JSON (the RoomExport format, docs/deploy.md).
  import-slack <export.zip|dir>  A Slack workspace export: people, public channels as rooms,
                                 their messages in order. Running it again adds only what is
                                 not there yet (docs/deploy.md, "Import from Slack").
                                 Also spelled: import slack <export.zip|dir>.


${ADMIN_HELP}

Options:
  --json                         people, stats: one JSON document instead of lines.
  --limit N                      audit: how many entries.
  -h, --help                     This text.`;

/** A mistake in what was asked for; printed as one line with the exit status 1. */
class UsageError extends Error {}

/** Exit status when the backup must be taken with the database's own tool. */
const USE_DUMP_TOOL = 2;

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: "boolean", short: "h" },
      force: { type: "boolean" },
      json: { type: "boolean" },
      limit: { type: "string" },
    },
  });
  const [command, ...args] = positionals;
  if (values.help || command === "help" || command === undefined) {
    console.log(HELP);
    return command === undefined && !values.help ? 1 : 0;
  }
  const config = loadConfig(process.env);
  if (ADMIN_COMMANDS.has(command)) {
    const limit = values.limit === undefined ? undefined : Number(values.limit);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 1000))
      throw new UsageError("--limit must be a whole number from 1 to 1000");
    return runAdminCommand(config, command, args, { json: values.json === true, limit });
  }
  switch (command) {
    case "backup": {
      const [file] = exactly(args, 1, "backup <file>");
      return backup(config.databaseUrl, file);
    }
    case "restore": {
      const [file] = exactly(args, 1, "restore <file> [--force]");
      return restore(config.databaseUrl, file, values.force === true);
    }
    case "export-room": {
      const [slug, file] = exactly(args, 2, "export-room <slug> <file.json>");
      return exportRoomTo(config.databaseUrl, slug, file);
    }
    case "import-slack": {
      const [location] = exactly(args, 1, "import-slack <export.zip or folder>");
      return importSlack(config.databaseUrl, location);
    }
    // `parley import slack <export>`, as issue 11 spells it.
    case "import": {
      const [source, location] = exactly(args, 2, "import slack <export.zip or folder>");
      if (source !== "slack") throw new UsageError(`parley can import from slack only, not "${source}"`);
      return importSlack(config.databaseUrl, location);
    }
    default:
      throw new UsageError(`unknown subcommand "${command}"; parley --help lists them`);
  }
}

/** The arguments, exactly `count` of them, or a usage error. */
function exactly(args: string[], count: 1, usage: string): [string];
function exactly(args: string[], count: 2, usage: string): [string, string];
function exactly(args: string[], count: number, usage: string): string[] {
  if (args.length !== count) throw new UsageError(`usage: parley ${usage}`);
  return args;
}

async function backup(databaseUrl: string, file: string): Promise<number> {
  const kind = databaseKind(databaseUrl);
  if (kind === "sqlite") {
    const pages = await backupSqlite(sqlitePath(databaseUrl), file);
    console.log(`parley: backed up ${sqlitePath(databaseUrl)} to ${file} (${pages} pages, integrity ok)`);
    return 0;
  }
  const commands = kind === "mysql" ? mysqlCommands(databaseUrl, file) : postgresCommands(databaseUrl, file);
  const name = kind === "mysql" ? "MariaDB/MySQL" : "PostgreSQL";
  console.error(`parley: ${name} is backed up with its own dump tool (docs/deploy.md, "Backups"). Run:`);
  console.log(commands.dump);
  console.error("Restore into a new, empty database (then start Parley on it) with:");
  console.log(commands.restore);
  if (commands.passwordHint) console.error(`(${commands.passwordHint})`);
  return USE_DUMP_TOOL;
}

async function restore(databaseUrl: string, file: string, force: boolean): Promise<number> {
  if (databaseKind(databaseUrl) !== "sqlite") {
    throw new UsageError(
      "restore works on SQLite only; restore MariaDB/PostgreSQL with the command `parley backup` prints",
    );
  }
  const target = sqlitePath(databaseUrl);
  restoreSqlite(file, target, { force });
  const database = openDatabase(databaseUrl);
  try {
    const applied = await migrateToLatest(database.db as Kysely<unknown>, database.kind);
    console.log(
      `parley: restored ${file} to ${target}${applied.length > 0 ? ` (applied ${applied.join(", ")})` : ""}`,
    );
  } finally {
    await database.close();
  }
  return 0;
}

async function exportRoomTo(databaseUrl: string, slug: string, file: string): Promise<number> {
  const database = openDatabase(databaseUrl);
  try {
    const exported = await exportRoom(database.db, slug);
    if (!exported) throw new UsageError(`there is no room with the slug "${slug}"`);
    writeFileSync(file, `${JSON.stringify(exported, null, 2)}\n`);
    console.log(
      `parley: exported ${exported.messages.length} messages of "${exported.room.name}" to ${file}`,
    );
    return 0;
  } finally {
    await database.close();
  }
}

async function importSlack(databaseUrl: string, location: string): Promise<number> {
  const source = await openSlackExport(location);
  const database = openDatabase(databaseUrl);
  try {
    await migrateToLatest(database.db as Kysely<unknown>, database.kind);
    const report = await new SlackImport(database.db, database.kind, source, {
      progress: (line) => console.error(`parley: ${line}`),
    }).run();
    for (const line of reportLines(report)) console.log(`parley: ${line}`);
    return 0;
  } finally {
    await source.close();
    await database.close();
  }
}

function reportLines({ people, rooms, messages, ...rest }: SlackImportReport): string[] {
  return [
    `people: ${people.created} new, ${people.matchedByEmail} matched by email, ${people.alreadyImported} already imported`,
    `rooms: ${rooms.created} new, ${rooms.adopted} empty rooms of the same name used, ${rooms.alreadyImported} already imported`,
    ...rooms.renamed.map((renamed) => `renamed (a room with history has the name): ${renamed}`),
    `messages: ${messages.imported} imported, ${messages.alreadyImported} already there, ${messages.skippedEvents} channel events skipped, ${messages.unreadable} unreadable or empty`,
    `private channels, group and direct messages not imported: ${rest.privateConversationsSkipped}`,
    `${rest.messagesPerSecond} messages/s (${rest.messageSeconds.toFixed(1)} s), search index ${rest.searchIndexSeconds.toFixed(1)} s`,
  ];
}

function oneLine(error: unknown): string {
  if (error instanceof ConfigError) return error.message.replace(/\n\s*/g, " ");
  if (
    error instanceof UsageError ||
    error instanceof BackupError ||
    error instanceof SlackExportError ||
    error instanceof SlackImportError ||
    error instanceof AdminUsageError ||
    error instanceof AdministrationRefusal
  )
    return error.message;
  // parseArgs' own refusals (unknown option) are usage mistakes too.
  if (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS")) {
    return `${error.message}; parley --help lists the options`;
  }
  return `failed: ${error instanceof Error ? error.message : String(error)}`;
}

run(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    console.error(`parley: ${oneLine(error)}`);
    process.exitCode = 1;
  },
);
