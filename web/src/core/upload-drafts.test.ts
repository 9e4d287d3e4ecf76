import type { Attachment } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { ApiError, problemOf } from "./http-api.js";
import { ADA, room } from "./testing/fakes.js";
import { connect, harness, joined } from "./testing/harness.js";
import { UploadDrafts, type UploadHandle, type UploadSource } from "./upload-drafts.js";

/** An uploader whose uploads the test finishes, fails and advances by hand. */
function manualUploader() {
  const uploads: Array<{
    file: UploadSource;
    progress(sent: number, total: number): void;
    finish(attachment: Attachment): void;
    fail(error: unknown): void;
    aborted: boolean;
  }> = [];
  const upload = (file: UploadSource, progress: (sent: number, total: number) => void): UploadHandle => {
    let finish!: (attachment: Attachment) => void;
    let fail!: (error: unknown) => void;
    const done = new Promise<Attachment>((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });
    const entry = { file, progress, finish, fail, aborted: false };
    uploads.push(entry);
    return {
      done,
      abort: () => {
        entry.aborted = true;
      },
    };
  };
  return { uploads, upload };
}

const attachment = (id: string, name: string): Attachment => ({
  id: id.padEnd(22, "A"),
  name,
  size: 10,
  type: "image/png",
  url: `/api/files/${id.padEnd(22, "A")}`,
});

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("the files of the next message", () => {
  it("shows progress, then the attachment; the message can go only once every file is up", async () => {
    const { uploads, upload } = manualUploader();
    const drafts = new UploadDrafts(upload, problemOf);
    drafts.add("r1", [
      { name: "a.png", size: 100 },
      { name: "b.pdf", size: 300 },
    ]);
    expect(drafts.list("r1").map((d) => d.state)).toEqual(["uploading", "uploading"]);
    uploads[0]?.progress(50, 100);
    expect(drafts.list("r1")[0]?.progress).toBe(0.5);
    expect(drafts.ready("r1")).toEqual({ problem: { code: "uploads_pending" } });

    uploads[0]?.finish(attachment("a", "a.png"));
    uploads[1]?.finish(attachment("b", "b.pdf"));
    await flush();
    expect(drafts.ready("r1")).toEqual({ attachments: [attachment("a", "a.png"), attachment("b", "b.pdf")] });
    // Another room's draft is its own.
    expect(drafts.list("r2")).toEqual([]);
    drafts.clear("r1");
    expect(drafts.list("r1")).toEqual([]);
  });

  it("keeps a failed file with the server's reason and leaves it out of the message", async () => {
    const { uploads, upload } = manualUploader();
    const drafts = new UploadDrafts(upload, problemOf);
    drafts.add("r1", [
      { name: "ok.png", size: 1 },
      { name: "page.html", size: 1 },
    ]);
    uploads[0]?.finish(attachment("ok", "ok.png"));
    uploads[1]?.fail(new ApiError({ code: "file_type_not_allowed", status: 415 }));
    await flush();
    expect(drafts.list("r1")[1]).toMatchObject({
      state: "failed",
      problem: { code: "file_type_not_allowed" },
    });
    expect(drafts.ready("r1")).toEqual({ attachments: [attachment("ok", "ok.png")] });
  });

  it("refuses a file over the known limit without uploading it, and stops an upload that is removed", () => {
    const { uploads, upload } = manualUploader();
    const drafts = new UploadDrafts(upload, problemOf, () => 1000);
    drafts.add("r1", [
      { name: "huge.bin", size: 1001 },
      { name: "small.png", size: 10 },
    ]);
    expect(uploads.map((u) => u.file.name)).toEqual(["small.png"]);
    expect(drafts.list("r1")[0]).toMatchObject({
      state: "failed",
      problem: { code: "file_too_large", max: 1000 },
    });
    const small = drafts.list("r1")[1]?.key as string;
    drafts.remove("r1", small);
    expect(uploads[0]?.aborted).toBe(true);
    expect(drafts.list("r1").map((d) => d.name)).toEqual(["huge.bin"]);
  });

  it("takes at most ten files for one message", () => {
    const { uploads, upload } = manualUploader();
    const drafts = new UploadDrafts(upload, problemOf);
    drafts.add(
      "r1",
      Array.from({ length: 12 }, (_, i) => ({ name: `${i}.png`, size: 1 })),
    );
    expect(uploads).toHaveLength(10);
  });
});

describe("sending a message with files", () => {
  const general = room("r1", "general");

  it("sends the upload ids, allows no text, and keeps the files on the message once acknowledged", async () => {
    const h = harness();
    const socket = await connect(h);
    h.core.openSlug("general");
    socket.deliver(joined(general, []));
    const file = attachment("f1", "photo.png");
    expect(h.core.send(general.id, "   ", [file])).toBeNull();
    const [sent] = socket.sentOfType("send");
    expect(sent).toMatchObject({ type: "send", roomId: general.id, body: "", attachments: [file.id] });
    socket.deliver({ type: "ack", roomId: general.id, clientId: sent?.clientId as string, seq: 1 });
    const [message] = h.core.getState().roomStates[general.id]?.messages ?? [];
    expect(message).toMatchObject({ seq: 1, author: ADA, attachments: [file] });
    // Without files an empty message is still refused.
    expect(h.core.send(general.id, "  ")).toMatchObject({ code: "message_empty" });
  });
});
