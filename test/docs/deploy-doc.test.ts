import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { mysqlCommands, postgresCommands } from "../../src/backup/dump-commands.js";

const deployDoc = readFileSync(new URL("../../docs/deploy.md", import.meta.url), "utf8");

describe("docs/deploy.md", () => {
  it("shows exactly the nginx file that the production-path test runs", () => {
    const block = /```nginx\n([\s\S]*?)```/.exec(deployDoc)?.[1];
    expect(block).toBe(readFileSync(new URL("../../deploy/nginx/parley.conf", import.meta.url), "utf8"));
  });
});

describe("docs/deploy.md Backups", () => {
  it("shows exactly the dump and restore commands `parley backup` prints", () => {
    const postgres = postgresCommands("postgres://parley:secret@db.example.com:5432/parley", "parley.sql");
    const mysql = mysqlCommands("mysql://parley:secret@db.example.com:3306/parley", "parley.sql");
    for (const command of [postgres.dump, postgres.restore, mysql.dump, mysql.restore]) {
      expect(deployDoc).toContain(`\n${command}\n`);
    }
  });
});
