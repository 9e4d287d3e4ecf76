import { z } from "zod";

/** Most files one message may carry. */
export const MAX_ATTACHMENTS_PER_MESSAGE = 10;
/** Longest file name kept (in UTF-16 units, after cleaning); longer names are cut, keeping the extension. */
export const MAX_FILE_NAME_LENGTH = 200;

/** An upload's id: 128 random bits, base64url. */
export const UploadId = z.string().regex(/^[A-Za-z0-9_-]{22}$/, "an upload id is 22 letters, digits, _ or -");
export type UploadId = z.infer<typeof UploadId>;

/**
 * A file of a message as everyone who can read the message sees it. `type` is what the server
 * found by reading the bytes, never what the uploader's browser claimed. Images the server could
 * read carry their dimensions (orientation applied) and a thumbnail.
 */
export const Attachment = z.object({
  id: UploadId,
  name: z.string().min(1).max(MAX_FILE_NAME_LENGTH),
  /** Bytes as stored (an image is stored re-encoded without its metadata). */
  size: z.number().int().nonnegative(),
  type: z.string().min(1).max(255),
  /** The whole file (`GET`, session cookie). */
  url: z.string(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  /** A small WebP of the image, at most 400 px on its longer side. Only images have one. */
  thumbnailUrl: z.string().optional(),
});
export type Attachment = z.infer<typeof Attachment>;

/** `POST /api/uploads?name=`: `201 {upload}`, a pending upload only its uploader may attach. */
export const UploadResponse = z.object({ upload: Attachment });
export type UploadResponse = z.infer<typeof UploadResponse>;

/** `POST /api/uploads` query: the file's name (the body is the file's bytes). */
export const UploadQuery = z.object({ name: z.string().min(1).max(1024) });

/** What the server allows, so the browser can refuse before sending 25 MB for nothing. */
export const UploadLimits = z.object({
  maxFileBytes: z.number().int().positive(),
  /** MIME types or `type/*` patterns; `*` allows every type. */
  allowedTypes: z.array(z.string()),
  quotaBytes: z.number().int().positive(),
  usedBytes: z.number().int().nonnegative(),
});
export type UploadLimits = z.infer<typeof UploadLimits>;

/** Why an upload was refused: the `error` of the refusal body. */
export const UploadRefusal = z.enum([
  /** Larger than the per-file limit (413). */
  "file_too_large",
  /** Empty body (400). */
  "file_empty",
  /** The type read from the bytes is not allowed here (415). */
  "file_type_not_allowed",
  /** The uploader's files would exceed their quota (413, `reason: "quota"`). */
  "quota_exceeded",
  /** An image claiming more pixels than the server decodes (422). */
  "image_too_large",
  /** Looks like an image by its first bytes but cannot be decoded (422). */
  "image_unreadable",
]);
export type UploadRefusal = z.infer<typeof UploadRefusal>;

/** The safe raster types shown inline; anything else is only ever downloaded. */
export const INLINE_IMAGE_TYPES: readonly string[] = ["image/png", "image/jpeg", "image/gif", "image/webp"];

/** Where a file is served (its name comes in Content-Disposition). */
export function fileUrl(id: string): string {
  return `/api/files/${id}`;
}

export function thumbnailUrl(id: string): string {
  return `/api/files/${id}/thumbnail`;
}

/**
 * A message's body rule once files are counted: a message with files may have no text. Returns
 * the body's problem (see messageBodyProblem) otherwise.
 */
export function bodyProblemWithAttachments<P extends { code: string }>(
  problem: P | null,
  attachmentCount: number,
): P | null {
  return problem?.code === "message_empty" && attachmentCount > 0 ? null : problem;
}
