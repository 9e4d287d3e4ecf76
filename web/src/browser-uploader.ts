import { UploadLimits, UploadResponse } from "@parley/protocol";
import {
  ApiError,
  CLIENT_CODES,
  parseRetryAfter,
  problemOf,
  UploadDrafts,
  type Uploader,
} from "./core/index.js";

let limits: Promise<number | undefined> | undefined;

/** The server's per-file limit, asked once (on the first upload, not on pages where nobody is signed in). */
function maxFileBytes(): Promise<number | undefined> {
  limits ??= fetch("/api/uploads/limits", { credentials: "same-origin" })
    .then(async (response) => {
      if (!response.ok) return undefined;
      const parsed = UploadLimits.safeParse(await response.json());
      return parsed.success ? parsed.data.maxFileBytes : undefined;
    })
    .catch(() => undefined);
  return limits;
}

/**
 * Uploads with XMLHttpRequest: fetch cannot report how much of a request body has been sent,
 * and the progress bar is the point. The body is the File itself, streamed by the browser. A file
 * over the server's limit fails before a byte is sent.
 */
export const browserUploader: Uploader<File> = (file, onProgress) => {
  const request = new XMLHttpRequest();
  let aborted = false;
  const done = new Promise<UploadResponse["upload"]>((resolve, reject) => {
    void maxFileBytes().then((max) => {
      if (aborted) return reject(new ApiError({ code: "upload_cancelled" }));
      if (max !== undefined && file.size > max) return reject(new ApiError({ code: "file_too_large", max }));
      request.open("POST", `/api/uploads?name=${encodeURIComponent(file.name || "pasted")}`);
      request.responseType = "json";
      request.upload.onprogress = (event) =>
        onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
      request.onload = () => {
        const body: unknown = request.response;
        if (request.status === 201) {
          const parsed = UploadResponse.safeParse(body);
          if (parsed.success) resolve(parsed.data.upload);
          else reject(new ApiError({ code: CLIENT_CODES.badResponse, status: request.status }));
          return;
        }
        const code =
          typeof body === "object" && body !== null && typeof (body as { error?: unknown }).error === "string"
            ? (body as { error: string }).error
            : CLIENT_CODES.httpError;
        // A quota refusal says when waiting frees room (unsent uploads expiring), when it can.
        const retryAfterMs = parseRetryAfter(request.getResponseHeader("retry-after"), Date.now());
        reject(
          new ApiError({
            code,
            status: request.status,
            ...(retryAfterMs !== undefined && { retryAfterMs }),
          }),
        );
      };
      // A refusal that closed the connection mid-body lands here too.
      request.onerror = () => reject(new ApiError({ code: CLIENT_CODES.offline }));
      request.onabort = () => reject(new ApiError({ code: "upload_cancelled" }));
      request.send(file);
    });
  });
  return {
    done,
    abort: () => {
      aborted = true;
      request.abort();
    },
  };
};

/** The page's upload drafts. */
export function createBrowserUploadDrafts(): UploadDrafts<File> {
  return new UploadDrafts(browserUploader, problemOf);
}
