/**
 * MariaDB/MySQL and PostgreSQL are backed up with their own dump tools, which take a consistent
 * snapshot without stopping writers. These build the exact commands (docs/deploy.md shows them).
 * Passwords are never printed: the tools read them from MYSQL_PWD/PGPASSWORD or an option file.
 */

export interface DumpCommands {
  /** Writes the dump to the file. */
  dump: string;
  /** Loads the dump into an empty database (the one named by the URL it was built from). */
  restore: string;
  /** Where the password goes, when the URL carries one. */
  passwordHint: string | undefined;
}

export function mysqlCommands(url: string, file: string): DumpCommands {
  const { connection, database, hasPassword } = mysqlConnection(url);
  return {
    dump: [
      "mariadb-dump",
      "--single-transaction",
      "--quick",
      "--no-tablespaces",
      "--default-character-set=utf8mb4",
      ...connection,
      `--result-file=${quote(file)}`,
      quote(database),
    ].join(" "),
    restore: [
      "mariadb",
      "--default-character-set=utf8mb4",
      ...connection,
      quote(database),
      "<",
      quote(file),
    ].join(" "),
    passwordHint: hasPassword
      ? "give the password in MYSQL_PWD or an option file (--defaults-extra-file)"
      : undefined,
  };
}

export function postgresCommands(url: string, file: string): DumpCommands {
  const parsed = new URL(url);
  const hasPassword = parsed.password !== "";
  parsed.password = "";
  const target = quote(parsed.toString());
  return {
    dump: ["pg_dump", "--no-owner", "--no-privileges", `--file=${quote(file)}`, `--dbname=${target}`].join(
      " ",
    ),
    restore: [
      "psql",
      "--quiet",
      "--single-transaction",
      "--set=ON_ERROR_STOP=1",
      `--file=${quote(file)}`,
      `--dbname=${target}`,
    ].join(" "),
    passwordHint: hasPassword ? "give the password in PGPASSWORD or ~/.pgpass" : undefined,
  };
}

function mysqlConnection(url: string): { connection: string[]; database: string; hasPassword: boolean } {
  const parsed = new URL(url.replace(/^mariadb:/i, "mysql:"));
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  if (!database) throw new Error("DATABASE_URL names no database (mysql://user@host:3306/parley)");
  const connection = [`--host=${quote(parsed.hostname)}`, `--port=${parsed.port || "3306"}`];
  if (parsed.username) connection.push(`--user=${quote(decodeURIComponent(parsed.username))}`);
  return { connection, database, hasPassword: parsed.password !== "" };
}

/** Single-quoted for a POSIX shell when it holds anything but plain characters. */
function quote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
