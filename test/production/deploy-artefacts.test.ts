import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ENVIRONMENT_VARIABLES } from "../../src/main/config.js";

// There is no Docker engine on our CI machines, so the Dockerfile and the compose file are checked
// as far as this machine allows: parsed, and held to what production needs. The Caddyfile goes
// through Caddy's own parser, and the nginx file runs for real in production-path.test.ts.

const read = (path: string) => readFileSync(path, "utf8");

/** The Dockerfile's stages: each FROM with the instructions under it (continuation lines joined). */
function dockerStages(text: string): { from: string; instructions: string[] }[] {
  const lines = text
    .replace(/\\\n\s*/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
  const stages: { from: string; instructions: string[] }[] = [];
  for (const line of lines) {
    if (/^FROM\s/i.test(line)) stages.push({ from: line, instructions: [] });
    else stages.at(-1)?.instructions.push(line);
  }
  return stages;
}

/** The systemd unit's command line after the binary. */
function unitArguments(): string[] {
  const execStart = /^ExecStart=(.+)$/m.exec(read("deploy/systemd/parley@.service"))?.[1] ?? "";
  return execStart.trim().split(/\s+/).slice(1);
}

describe("the Dockerfile", () => {
  const stages = dockerStages(read("Dockerfile"));
  const final = stages.at(-1);

  it("builds in stages on Node 24 and runs as a non-root user with a health check", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.from).toMatch(/^FROM node:24[-.\w]*(\s+AS\s+\S+)?$/i);
    const instructions = final?.instructions ?? [];
    const user = instructions.filter((line) => /^USER\s/i.test(line)).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER\s+(root|0)\b/i);
    expect(instructions.some((line) => /^HEALTHCHECK\s.*\/healthz/i.test(line))).toBe(true);
    expect(instructions.some((line) => /^ENV\s.*NODE_ENV=production/i.test(line))).toBe(true);
  });

  it("runs the compiled server with the same command line as the systemd unit, no TypeScript", () => {
    const cmd = (final?.instructions ?? []).filter((line) => /^CMD\s/i.test(line)).at(-1) ?? "";
    const command = JSON.parse(cmd.replace(/^CMD\s+/i, "")) as string[];
    expect(command[0]).toBe("node");
    expect(command.slice(1)).toEqual(unitArguments());
    expect(cmd).not.toMatch(/tsx|ts-node|\.ts\b/);
  });

  it("copies only paths that exist in the repository", () => {
    for (const stage of stages) {
      for (const line of stage.instructions.filter((l) => /^COPY\s/i.test(l) && !/--from=/i.test(l))) {
        const sources = line
          .split(/\s+/)
          .slice(1, -1)
          .filter((part) => !part.startsWith("--"));
        for (const source of sources) if (source !== ".") expect(existsSync(source), source).toBe(true);
      }
    }
  });
});

describe("the compose file", () => {
  const compose = parse(read("deploy/compose.yaml"), { merge: true }) as {
    services: Record<string, Record<string, unknown>>;
  };
  const parleyNodes = Object.entries(compose.services).filter(([name]) => name.startsWith("parley-"));

  it("has two Parley nodes, PostgreSQL, Redis and Caddy", () => {
    expect(parleyNodes.map(([name]) => name)).toEqual(["parley-1", "parley-2"]);
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(["postgres", "redis", "caddy"]));
    expect(String(compose.services.postgres?.image)).toMatch(/^postgres:/);
    expect(String(compose.services.redis?.image)).toMatch(/^redis:/);
    expect(String(compose.services.caddy?.image)).toMatch(/^caddy:/);
  });

  it("builds the nodes from the repository's Dockerfile and sets only variables Parley reads", () => {
    for (const [, node] of parleyNodes) {
      expect(node.build).toEqual({ context: "..", dockerfile: "Dockerfile" });
      const environment = node.environment as Record<string, string>;
      expect(Object.keys(environment).filter((name) => !ENVIRONMENT_VARIABLES.includes(name))).toEqual([]);
      expect(environment.NODE_ENV).toBe("production");
      expect(environment.DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
      expect(environment.REDIS_URL).toBe("redis://redis:6379");
      expect(environment.AUTH_SECRET).toMatch(/\$\{AUTH_SECRET:\?/);
    }
  });

  it("starts a node only once its database and Redis are healthy, and Caddy once the nodes are", () => {
    for (const [, node] of parleyNodes) {
      const dependsOn = node.depends_on as Record<string, { condition: string }>;
      expect(dependsOn.postgres?.condition).toBe("service_healthy");
      expect(dependsOn.redis?.condition).toBe("service_healthy");
    }
    const caddyDependsOn = compose.services.caddy?.depends_on as Record<string, { condition: string }>;
    expect(caddyDependsOn["parley-1"]?.condition).toBe("service_healthy");
    expect(caddyDependsOn["parley-2"]?.condition).toBe("service_healthy");
  });

  it("trusts exactly Caddy's fixed address as the proxy", () => {
    const caddyNetworks = (compose.services.caddy?.networks ?? {}) as Record<
      string,
      { ipv4_address: string }
    >;
    const caddyAddress = caddyNetworks.parley?.ipv4_address;
    expect(caddyAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    for (const [, node] of parleyNodes) {
      expect((node.environment as Record<string, string>).TRUST_PROXY).toBe(caddyAddress);
    }
  });
});

describe("the Caddyfile", () => {
  it("proxies to the compose file's two nodes", () => {
    expect(read("deploy/Caddyfile")).toMatch(/reverse_proxy\s+parley-1:3000\s+parley-2:3000/);
  });

  // In CI Caddy must be there (a missing one fails); elsewhere its absence shows as a skip.
  it.runIf(existsSync("/usr/bin/caddy") || Boolean(process.env.CI))("is valid for Caddy's own parser", () => {
    const adapted = JSON.parse(
      execFileSync("/usr/bin/caddy", ["adapt", "--config", "deploy/Caddyfile", "--adapter", "caddyfile"], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      }),
    ) as unknown;
    expect(JSON.stringify(adapted)).toContain('"dial":"parley-2:3000"');
  });
});

describe("the systemd unit and its environment file", () => {
  it("runs the compiled server as an unprivileged user from an environment file of known variables", () => {
    const unit = read("deploy/systemd/parley@.service");
    expect(unit).toMatch(/^User=parley$/m);
    expect(unit).toMatch(/^EnvironmentFile=\/etc\/parley\/%i\.env$/m);
    expect(unitArguments()).toEqual(["dist/server/main/server.js"]);
    const names = read("deploy/systemd/parley.env.example")
      .split("\n")
      .map((line) => /^([A-Z_][A-Z0-9_]*)=/.exec(line.trim())?.[1])
      .filter((name): name is string => Boolean(name));
    expect(names.filter((name) => !ENVIRONMENT_VARIABLES.includes(name))).toEqual([]);
    expect(names).toEqual(expect.arrayContaining(["NODE_ENV", "PUBLIC_URL", "AUTH_SECRET", "TRUST_PROXY"]));
  });
});
