import { describe, expect, it } from "vitest";
import { mysqlCommands, postgresCommands } from "./dump-commands.js";

describe("dump commands", () => {
  it("never print the password, and say where it goes instead", () => {
    const postgres = postgresCommands("postgres://parley:s3cret@db:5432/parley", "parley.sql");
    const mysql = mysqlCommands("mariadb://parley:s3cret@db:3306/parley", "parley.sql");
    for (const commands of [postgres, mysql]) {
      expect(`${commands.dump} ${commands.restore}`).not.toContain("s3cret");
      expect(commands.passwordHint).toMatch(/PGPASSWORD|MYSQL_PWD/);
    }
    expect(postgresCommands("postgres://parley@db/parley", "x.sql").passwordHint).toBeUndefined();
  });

  it("quote file names and users for the shell", () => {
    const mysql = mysqlCommands("mysql://o'brien@db/parley", "/backups/my dump.sql");
    expect(mysql.dump).toContain("--user='o'\\''brien'");
    expect(mysql.dump).toContain("--result-file='/backups/my dump.sql'");
    expect(mysql.restore).toMatch(/< '\/backups\/my dump.sql'$/);
    expect(mysql.dump).toContain("--port=3306");
  });

  it("refuse a MariaDB URL without a database", () => {
    expect(() => mysqlCommands("mysql://root@db:3306/", "x.sql")).toThrow(/names no database/);
  });
});
