import { UploadId, UploadQuery } from "@parley/protocol";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { CurrentUser, SignedIn } from "../auth/current-user.js";
import { isAllowedOrigin } from "../auth/origin.js";
import type { FileService, OpenedFile } from "../files/file-service.js";

export interface FileRoutesOptions {
  files: FileService;
  currentUser: CurrentUser;
  publicUrl: string;
}

const FileParams = z.object({ id: UploadId });

/**
 * What a served file may do in a browser: nothing. No scripts, no plugins, no frames, no fetches,
 * even if a browser were tricked into rendering it as a page.
 */
const FILE_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

/** `filename*` (RFC 6266/8187) with an ASCII `filename` fallback for old clients. */
export function contentDisposition(kind: "inline" | "attachment", name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%;]/g, "_");
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * Uploads and file downloads (decisions 0042, 0043). Each request is authorized on its own: the
 * uploader for a pending upload, RoomAccess for a sent one; a file the person may not read is
 * answered exactly like one that does not exist (404).
 */
export function registerFileRoutes(app: FastifyInstance, options: FileRoutesOptions): void {
  const { files } = options;
  const signedInByRequest = new WeakMap<FastifyRequest, SignedIn>();

  app.register(async (scope) => {
    // The body is the file itself, whatever type the browser says: streamed, never parsed or buffered.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", (_request, payload, done) => done(null, payload));

    scope.addHook("preHandler", async (request, reply) => {
      if (
        request.method !== "GET" &&
        !isAllowedOrigin(request.headers.origin, request.headers.host, options.publicUrl)
      ) {
        return reply
          .code(403)
          .send({ error: "forbidden_origin", message: "Requests from this origin are refused." });
      }
      const signedIn = await options.currentUser.lookup(request.headers);
      if (!signedIn) return reply.code(401).send({ error: "unauthorized", message: "Sign in first." });
      signedInByRequest.set(request, signedIn);
    });

    const userOf = (request: FastifyRequest) => signedInByRequest.get(request)?.member.id as string;

    scope.get("/api/uploads/limits", async (request) => files.limits(userOf(request)));

    scope.post("/api/uploads", async (request, reply) => {
      const query = UploadQuery.safeParse(request.query);
      if (!query.success) {
        return reply.code(400).send({ error: "bad_request", message: "Name the file: ?name=…" });
      }
      const length = request.headers["content-length"];
      const declared = length === undefined ? undefined : Number(length);
      let outcome: Awaited<ReturnType<FileService["upload"]>>;
      try {
        outcome = await files.upload(
          userOf(request),
          query.data.name,
          request.raw,
          Number.isSafeInteger(declared) ? declared : undefined,
        );
      } catch (error) {
        // The uploader went away mid-file (closed the tab, lost the network): nothing was stored.
        if (request.raw.destroyed || request.raw.readableAborted) {
          return reply
            .code(400)
            .send({ error: "upload_interrupted", message: "The upload was interrupted." });
        }
        throw error;
      }
      if (outcome.kind === "stored") return reply.code(201).send({ upload: outcome.attachment });
      // Refused before the body was read: close afterwards rather than read megabytes for nothing.
      if (!request.raw.readableEnded) reply.header("connection", "close");
      if (outcome.retryAfterMs === undefined) {
        return reply.code(outcome.status).send({ error: outcome.error, message: outcome.message });
      }
      // As every refusal that can be waited out: Retry-After in seconds, retryAfter in milliseconds.
      return reply
        .code(outcome.status)
        .header("retry-after", String(Math.ceil(outcome.retryAfterMs / 1000)))
        .send({ error: outcome.error, message: outcome.message, retryAfter: outcome.retryAfterMs });
    });

    const serve = (variant: "file" | "thumbnail") => async (request: FastifyRequest, reply: FastifyReply) => {
      const params = FileParams.safeParse(request.params);
      if (!params.success)
        return reply.code(404).send({ error: "not_found", message: "There is no such file." });
      const opened = await files.open(userOf(request), params.data.id, variant);
      if (!opened) return reply.code(404).send({ error: "not_found", message: "There is no such file." });
      return sendFile(reply, opened, variant);
    };
    scope.get("/api/files/:id", serve("file"));
    scope.get("/api/files/:id/thumbnail", serve("thumbnail"));
  });
}

function sendFile(reply: FastifyReply, { upload, bytes, inline }: OpenedFile, variant: "file" | "thumbnail") {
  // Only re-encoded raster images are shown in place; everything else (HTML, SVG, PDF, unknown
  // bytes) is a download the browser must not sniff into something it renders.
  const type = variant === "thumbnail" ? "image/webp" : inline ? upload.type : "application/octet-stream";
  const name = variant === "thumbnail" ? `${upload.name}.thumbnail.webp` : upload.name;
  return (
    reply
      .header("content-type", type)
      .header("content-length", String(bytes.size))
      .header("content-disposition", contentDisposition(inline ? "inline" : "attachment", name))
      .header("x-content-type-options", "nosniff")
      .header("content-security-policy", FILE_CONTENT_SECURITY_POLICY)
      // The bytes of an id never change; "private" keeps shared caches from serving them to others.
      .header("cache-control", "private, max-age=86400, immutable")
      .send(bytes.stream)
  );
}
