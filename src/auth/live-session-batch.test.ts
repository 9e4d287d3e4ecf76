import { describe, expect, it } from "vitest";
import { LiveSessionBatch } from "./live-session-batch.js";

/** A session table in memory that records each read. */
function table(live: string[]) {
  const alive = new Set(live);
  const reads: string[][] = [];
  const read = async (ids: string[]) => {
    reads.push([...ids]);
    return new Set(ids.filter((id) => alive.has(id)));
  };
  return { alive, reads, read };
}

describe("confirming sessions in batches", () => {
  it("confirms sockets arriving together with one read, each told only of its own session", async () => {
    const { reads, read } = table(["s1", "s3"]);
    const batch = new LiveSessionBatch(read);
    const answers = await Promise.all(["s1", "s2", "s3"].map((id) => batch.confirm([id])));
    expect(answers).toEqual([new Set(["s1"]), new Set(), new Set(["s3"])]);
    expect(reads).toEqual([["s1", "s2", "s3"]]);
  });

  it("answers a confirmation asked after a sign-out from a read made after it", async () => {
    const { alive, read } = table(["s1"]);
    const batch = new LiveSessionBatch(read);
    expect(await batch.confirm(["s1"])).toEqual(new Set(["s1"]));
    alive.delete("s1");
    expect(await batch.confirm(["s1"])).toEqual(new Set());
  });

  it("gathers the confirmations asked while a read is in the database into the next read", async () => {
    const { reads, read } = table(["s1", "s2", "s3"]);
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const batch = new LiveSessionBatch(async (ids) => {
      if (reads.length === 0) await held;
      return read(ids);
    });
    const first = batch.confirm(["s1"]);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [batch.confirm(["s2"]), batch.confirm(["s3"])];
    release();
    expect(await first).toEqual(new Set(["s1"]));
    expect(await Promise.all(later)).toEqual([new Set(["s2"]), new Set(["s3"])]);
    expect(reads).toEqual([["s1"], ["s2", "s3"]]);
  });

  it("fails every confirmation of a read that failed, and reads again for the next", async () => {
    let fail = true;
    const batch = new LiveSessionBatch(async (ids) => {
      if (fail) throw new Error("database away");
      return new Set(ids);
    });
    const answers = await Promise.allSettled([batch.confirm(["s1"]), batch.confirm(["s2"])]);
    expect(answers.map((answer) => answer.status)).toEqual(["rejected", "rejected"]);
    fail = false;
    expect(await batch.confirm(["s1"])).toEqual(new Set(["s1"]));
  });
});
