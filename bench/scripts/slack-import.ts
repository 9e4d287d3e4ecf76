// Throughput of `parley import-slack` (messages/s), on a synthetic export of years of history.
//   npm exec -- tsx bench/scripts/slack-import.ts [messages=200000] [DATABASE_URL]
// Without DATABASE_URL: a new SQLite file. With a PostgreSQL/MariaDB URL: that database, which
// should be empty. Imports twice: the second run shows what an idempotent re-import costs.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const total = Number(process.argv[2] ?? 200_000);
const databaseUrl =
  process.argv[3] ?? join(mkdtempSync(join(tmpdir(), "parley-import-db-")), "parley.sqlite");
const CHANNELS = 5;
const USERS = 40;
const PER_DAY = 100;

const dir = mkdtempSync(join(tmpdir(), "parley-slack-bench-"));
const users = Array.from({ length: USERS }, (_, i) => ({
  id: `U${String(i).padStart(8, "0")}`,
  team_id: "TBENCH",
  name: `person${i}`,
  real_name: i % 2 ? `Person ${i}` : `社員 ${i}`,
  profile: { email: `person${i}@example.com`, display_name: i % 2 ? `Person ${i}` : `社員${i}` },
}));
const channels = Array.from({ length: CHANNELS }, (_, i) => ({
  id: `C${String(i).padStart(8, "0")}`,
  name: i === 0 ? "general" : `channel-${i}`,
  created: 1_500_000_000,
  members: users.map((u) => u.id),
}));
writeFileSync(join(dir, "users.json"), JSON.stringify(users));
writeFileSync(join(dir, "channels.json"), JSON.stringify(channels));

const texts = [
  (u: string) => `Morning <@${u}>, the *build* is green: <https://ci.example.com/runs/42|run 42>`,
  () => "明日の会議は_10時_からです。資料は共有フォルダにあります。",
  () => "Can someone look at ~the old~ the new dashboard? `npm run build` fails for me.",
  (u: string) => `<@${u}> 了解しました！ありがとうございます 🙏`,
];
const perChannel = Math.ceil(total / CHANNELS);
let written = 0;
for (const channel of channels) {
  mkdirSync(join(dir, channel.name));
  let ts = 1_500_000_000;
  for (let day = 0; day * PER_DAY < perChannel; day++) {
    const messages = [];
    let parent: string | undefined;
    for (let n = 0; n < PER_DAY && day * PER_DAY + n < perChannel && written < total; n++, written++) {
      ts += 60;
      const user = users[(day + n) % USERS] as (typeof users)[number];
      const other = users[(day + n + 7) % USERS] as (typeof users)[number];
      const stamp = `${ts}.${String(n).padStart(6, "0")}`;
      const text = (texts[n % texts.length] as (u: string) => string)(other.id);
      // Every tenth message starts a thread, the next two answer it.
      if (n % 10 === 0) parent = stamp;
      const reply = n % 10 === 1 || n % 10 === 2;
      messages.push({
        type: "message",
        user: user.id,
        text,
        ts: stamp,
        ...(n % 10 === 0 && { thread_ts: stamp, reply_count: 2 }),
        ...(reply && parent && { thread_ts: parent, parent_user_id: user.id }),
      });
    }
    const date = new Date((1_500_000_000 + day * 86_400) * 1000).toISOString().slice(0, 10);
    writeFileSync(join(dir, channel.name, `${date}.json`), JSON.stringify(messages));
  }
}
console.log(`synthetic export: ${written} messages in ${CHANNELS} channels, ${USERS} people (${dir})`);

const root = join(import.meta.dirname, "..", "..");
for (const run of ["first import", "second import (adds nothing)"]) {
  const result = spawnSync(
    join(root, "node_modules", ".bin", "node"),
    ["--conditions=parley-source", "--import", "tsx", "src/main/cli.ts", "import-slack", dir],
    { cwd: root, env: { ...process.env, DATABASE_URL: databaseUrl }, encoding: "utf8" },
  );
  console.log(`${run} into ${databaseUrl.replace(/\/\/[^@]*@/, "//…@")}:`);
  console.log(result.stdout.trim());
  if (result.status !== 0) {
    console.error(result.stderr);
    process.exit(1);
  }
}
