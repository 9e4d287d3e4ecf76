import type { Attachment } from "@parley/protocol";
import type { Problem } from "./problem.js";

/** What the core needs to know of a file the person picked, dropped or pasted. */
export interface UploadSource {
  readonly name: string;
  readonly size: number;
}

/** One upload under way: it settles with the server's pending upload, or rejects with an ApiError. */
export interface UploadHandle {
  readonly done: Promise<Attachment>;
  abort(): void;
}

/** Sends one file to `POST /api/uploads`, reporting bytes sent (the browser uses XHR upload progress). */
export type Uploader<F extends UploadSource> = (
  file: F,
  onProgress: (sent: number, total: number) => void,
) => UploadHandle;

/** A file on its way into the next message of a room. */
export interface DraftFile {
  readonly key: string;
  readonly name: string;
  readonly size: number;
  readonly state: "uploading" | "done" | "failed";
  /** 0–1 while uploading; 1 once done. */
  readonly progress: number;
  readonly attachment?: Attachment;
  readonly problem?: Problem;
}

const NONE: readonly DraftFile[] = [];

/** Client-side code: the files of the next message are still uploading. */
export const UPLOADS_PENDING = "uploads_pending";

/**
 * The files attached to each room's next message, from the moment they are picked to the send:
 * upload progress, failures (worded by the UI), and the attachments the send names. DOM-free;
 * the browser hands it an XHR uploader.
 */
export class UploadDrafts<F extends UploadSource> {
  private readonly rooms = new Map<string, readonly DraftFile[]>();
  private readonly handles = new Map<string, UploadHandle>();
  private readonly listeners = new Set<() => void>();
  private next = 0;

  constructor(
    private readonly upload: Uploader<F>,
    private readonly problemOf: (error: unknown) => Problem,
    /** The per-file limit when known (from `GET /api/uploads/limits`): bigger files fail at once. */
    private readonly maxFileBytes: () => number | undefined = () => undefined,
    private readonly maxFiles = 10,
  ) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  list(roomId: string): readonly DraftFile[] {
    return this.rooms.get(roomId) ?? NONE;
  }

  /** Starts uploading each file (past the per-message count, extra files are ignored). */
  add(roomId: string, files: readonly F[]): void {
    const room = this.list(roomId);
    const roomLeft = Math.max(0, this.maxFiles - room.length);
    for (const file of files.slice(0, roomLeft)) {
      const key = `u${this.next++}`;
      const max = this.maxFileBytes();
      if (max !== undefined && file.size > max) {
        this.put(roomId, {
          key,
          name: file.name,
          size: file.size,
          state: "failed",
          progress: 0,
          problem: { code: "file_too_large", max },
        });
        continue;
      }
      this.put(roomId, { key, name: file.name, size: file.size, state: "uploading", progress: 0 });
      const handle = this.upload(file, (sent, total) =>
        this.patch(roomId, key, (draft) =>
          draft.state === "uploading"
            ? { ...draft, progress: total > 0 ? Math.min(1, sent / total) : 0 }
            : draft,
        ),
      );
      this.handles.set(key, handle);
      handle.done.then(
        (attachment) =>
          this.patch(roomId, key, (draft) => ({ ...draft, state: "done", progress: 1, attachment })),
        (error: unknown) =>
          this.patch(roomId, key, (draft) => ({ ...draft, state: "failed", problem: this.problemOf(error) })),
      );
    }
  }

  /** Takes a file out of the next message (stopping its upload if it is still going). */
  remove(roomId: string, key: string): void {
    this.handles.get(key)?.abort();
    this.handles.delete(key);
    this.rooms.set(
      roomId,
      this.list(roomId).filter((draft) => draft.key !== key),
    );
    this.emit();
  }

  /**
   * The attachments of the next message, or a problem while a file is still uploading. Files that
   * failed are left out (they show their problem until removed).
   */
  ready(roomId: string): { attachments: Attachment[] } | { problem: Problem } {
    const drafts = this.list(roomId);
    if (drafts.some((draft) => draft.state === "uploading")) return { problem: { code: UPLOADS_PENDING } };
    return { attachments: drafts.flatMap((draft) => (draft.attachment ? [draft.attachment] : [])) };
  }

  /** The message went out: its files leave the draft. */
  clear(roomId: string): void {
    for (const draft of this.list(roomId)) this.handles.delete(draft.key);
    this.rooms.delete(roomId);
    this.emit();
  }

  private put(roomId: string, draft: DraftFile): void {
    this.rooms.set(roomId, [...this.list(roomId), draft]);
    this.emit();
  }

  private patch(roomId: string, key: string, change: (draft: DraftFile) => DraftFile): void {
    const drafts = this.list(roomId);
    if (!drafts.some((draft) => draft.key === key)) return;
    this.rooms.set(
      roomId,
      drafts.map((draft) => (draft.key === key ? change(draft) : draft)),
    );
    if (this.list(roomId).find((draft) => draft.key === key)?.state !== "uploading") this.handles.delete(key);
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
